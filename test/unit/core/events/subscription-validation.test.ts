import { subscriptionValidationCode } from '../../../../core/events/subscription-validation.js';
import { eventGridItem, loadEventFixture } from '../../../support/key-vault-events.js';

describe('subscriptionValidationCode', () => {
  it("returns the code of Event Grid's validation handshake", () => {
    expect(subscriptionValidationCode(loadEventFixture('eventgrid-subscription-validation.json'))).toBe(
      '512d38b6-c7b8-40c8-89fe-f46f9e9622b6',
    );
  });

  it('accepts a single object as well as a batch', () => {
    const [item] = loadEventFixture('eventgrid-subscription-validation.json') as unknown[];
    expect(subscriptionValidationCode(item)).toBe('512d38b6-c7b8-40c8-89fe-f46f9e9622b6');
  });

  it.each([
    ['a Key Vault event', [eventGridItem()]],
    ['a validation event without a code', [{ eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: {} }]],
    ['a validation event whose code is not a string', [{ eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 7 } }]],
    ['null', null],
    ['a string', 'Microsoft.EventGrid.SubscriptionValidationEvent'],
  ])('returns undefined for %s', (_label, body) => {
    expect(subscriptionValidationCode(body)).toBeUndefined();
  });
});

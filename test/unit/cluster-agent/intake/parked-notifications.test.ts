import { ParkedNotifications } from '../../../../cluster-agent/intake/parked-notifications.js';
import type { IntakeOutcome } from '../../../../cluster-agent/intake/notification-intake.js';
import { createLogger } from '../../../../cluster-agent/logger.js';
import type { SignedNotification } from '../../../../core/notification/notification.js';
import { ManualScheduler } from '../support/manual-scheduler.js';

const signed = (n: number): SignedNotification => ({ keyId: 'k', timestamp: 1, signature: `sig-${n}`, body: `{"n":${n}}` });

function parkingLot(options: { canTake?: () => boolean; take?: (s: SignedNotification) => IntakeOutcome; leader?: () => boolean; forwardStatus?: number | undefined; max?: number } = {}) {
  const scheduler = new ManualScheduler();
  const taken: string[] = [];
  const forwarded: string[] = [];
  const logLines: string[] = [];
  const parking = new ParkedNotifications({
    scheduler,
    logger: createLogger('debug', { write: (l: string) => void logLines.push(l) }),
    canTake: options.canTake ?? (() => false),
    take: options.take ?? ((s) => (taken.push(s.signature), { outcome: 'accepted' })),
    forward: async (s) => {
      forwarded.push(s.signature);
      return options.forwardStatus === undefined ? undefined : { status: options.forwardStatus, body: {}, retryAfter: undefined };
    },
    leaderKnown: options.leader ?? (() => false),
    ...(options.max !== undefined ? { max: options.max } : {}),
  });
  return { scheduler, parking, taken, forwarded, logLines };
}

describe('ParkedNotifications (no leader can take a notification now)', () => {
  it('holds them while no one can take them, then hands them to this replica once it leads and is ready', async () => {
    let leading = false;
    const lot = parkingLot({ canTake: () => leading });
    lot.parking.start();
    expect([lot.parking.park(signed(1), 'e1'), lot.parking.park(signed(2), 'e2'), lot.parking.park(signed(1), 'e1')]).toEqual([true, true, true]);
    await lot.scheduler.advance(1000);
    expect([lot.parking.size, lot.taken]).toEqual([2, []]);
    leading = true;
    await lot.scheduler.advance(300);
    expect([lot.parking.size, lot.taken]).toEqual([0, ['sig-1', 'sig-2']]);
    await lot.parking.stop();
  });

  it('keeps one the intake is not ready for yet', async () => {
    const lot = parkingLot({ canTake: () => true, take: () => ({ outcome: 'not-ready' }) });
    lot.parking.park(signed(1), 'e1');
    await lot.parking.flush();
    expect(lot.parking.size).toBe(1);
  });

  it('forwards them to another replica that leads; keeps them while it cannot be reached, drops them once it answered', async () => {
    const unreachable = parkingLot({ leader: () => true, forwardStatus: undefined });
    unreachable.parking.park(signed(1), 'e1');
    await unreachable.parking.flush();
    expect([unreachable.forwarded, unreachable.parking.size]).toEqual([['sig-1'], 1]);
    const answered = parkingLot({ leader: () => true, forwardStatus: 202 });
    answered.parking.park(signed(1), 'e1');
    await answered.parking.flush();
    expect(answered.parking.size).toBe(0);
    const busy = parkingLot({ leader: () => true, forwardStatus: 503 });
    busy.parking.park(signed(1), 'e1');
    await busy.parking.flush();
    expect(busy.parking.size).toBe(1);
  });

  it('is bounded (the caller answers 503) and ages out what waited too long, with a log line that names only the event id', async () => {
    const lot = parkingLot({ max: 1 });
    expect([lot.parking.park(signed(1), 'e1'), lot.parking.park(signed(2), 'e2')]).toEqual([true, false]);
    await lot.scheduler.advance(601_000);
    await lot.parking.flush();
    expect(lot.parking.size).toBe(0);
    expect(lot.logLines.join('\n')).toMatch(/"eventId":"e1".*parked notification expired/);
    expect(lot.logLines.join('\n')).not.toContain('sig-1');
  });
});

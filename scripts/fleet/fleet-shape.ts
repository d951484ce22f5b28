/**
 * A deterministic fleet of registered clusters for the fleet benchmark and its small-N test: cluster `i` of any
 * fleet size is always the same cluster with the same registration, so a fleet of 10,000 is the fleet of 1,000 plus
 * 9,000 more, none of which wants the target object.
 *
 * - The first `subscribers` clusters want the target object: 90 % by its exact name, 10 % by a glob of its vault
 *   (`db-*`).
 * - Every cluster also wants four shared objects in one of 99 other vaults, and every tenth a glob there (`cfg-*`).
 * - Every fifth non-subscriber wants another object of the target's vault (a neighbour: same vault, other object).
 *
 * So the clusters added to a larger fleet hold rows in the target's vault, but none in the target object's
 * partition or in the target vault's glob partition: what routing the target costs should not change. Globs in the
 * target's vault held by clusters that do not match are a different case — that partition is read whole
 * (docs/benchmarks.md, `fleet-routing`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Registration, Subscription } from '../../core/registry/registration.js';
import { newVersionEvent, type EventGridEvent } from '../kv-emulator/event-grid-event.js';

export const FLEET_TARGET = Object.freeze({ vault: 'kv-fleet-000', objectType: 'Secret', objectName: 'db-password' } as const);
const OTHER_VAULTS = 99;
const SHARED_OBJECTS = 20;

export const fleetClusterName = (i: number): string => `fleet-${String(i).padStart(5, '0')}`;

const vaultName = (v: number): string => `kv-fleet-${String(v).padStart(3, '0')}`;

/** The subscriptions of cluster `i` when the first `subscribers` clusters want the target object. */
export function fleetSubscriptions(i: number, subscribers: number): Subscription[] {
  const subs: Subscription[] = [];
  if (i < subscribers) {
    const byGlob = i >= subscribers - Math.floor(subscribers / 10);
    subs.push({ vault: FLEET_TARGET.vault, objectType: 'Secret', objectName: byGlob ? 'db-*' : FLEET_TARGET.objectName });
  } else if (i % 5 === 0) {
    subs.push({ vault: FLEET_TARGET.vault, objectType: 'Secret', objectName: `other-${i % 50}` });
  }
  const own = vaultName(1 + (i % OTHER_VAULTS));
  for (let j = 0; j < 4; j++) subs.push({ vault: own, objectType: 'Secret', objectName: `shared-${(i + j) % SHARED_OBJECTS}` });
  if (i % 10 === 0) subs.push({ vault: own, objectType: 'Secret', objectName: 'cfg-*' });
  return subs;
}

/** Cluster `i` registered in queue mode (no endpoint: the Function only enqueues). */
export function fleetRegistration(i: number, subscribers: number): Registration {
  return { cluster: fleetClusterName(i), delivery: 'queue', endpoint: undefined, caPem: undefined, subscriptions: fleetSubscriptions(i, subscribers) };
}

/** A new version of the target object, as Event Grid delivers it (a new version and event id per call). */
export function fleetTargetEvent(): EventGridEvent {
  return newVersionEvent({
    id: randomUUID(),
    vault: FLEET_TARGET.vault,
    resourceId: `/subscriptions/5ab5c1d0-0000-4000-8000-00000000a4b5/resourceGroups/fleet/providers/Microsoft.KeyVault/vaults/${FLEET_TARGET.vault}`,
    eventTime: new Date().toISOString(),
    created: { objectType: FLEET_TARGET.objectType, name: FLEET_TARGET.objectName, version: randomBytes(16).toString('hex'), nbf: undefined, exp: undefined },
  });
}

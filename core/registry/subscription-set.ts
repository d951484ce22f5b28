/**
 * The subscription set an agent registers (core/registry/registration.ts): one exact subscription per vault object its
 * CRs reference, named by the notification's object type (a `certificate` CR listens for Certificate events). When
 * there are more than `max` objects, the vaults' largest groups are widened to a glob (`<vault>` / `<type>` / `*`)
 * until the set fits, so a cluster with many objects in one vault still registers (it then also hears about that
 * vault's other objects, which its agent ignores). Sorted, so the same CRs always give the same body.
 */
import { TerminalError } from '../errors.js';
import type { VaultObjectRef } from '../ports/vault-object-store.js';
import { VAULT_OBJECT_TYPES } from '../sync/object-types.js';
import { MAX_SUBSCRIPTIONS, type Subscription } from './registration.js';

const compare = (a: Subscription, b: Subscription): number =>
  a.vault.localeCompare(b.vault) || a.objectType.localeCompare(b.objectType) || a.objectName.toLowerCase().localeCompare(b.objectName.toLowerCase());

export function subscriptionSet(objects: Iterable<VaultObjectRef>, max = MAX_SUBSCRIPTIONS): Subscription[] {
  const groups = new Map<string, Map<string, Subscription>>();
  for (const ref of objects) {
    const s: Subscription = { vault: ref.vault.toLowerCase(), objectType: VAULT_OBJECT_TYPES[ref.objectType].notificationType, objectName: ref.name };
    const group = `${s.vault}\n${s.objectType}`;
    const members = groups.get(group) ?? new Map<string, Subscription>();
    members.set(s.objectName.toLowerCase(), s);
    groups.set(group, members);
  }
  let count = [...groups.values()].reduce((n, g) => n + g.size, 0);
  const widened = new Set<string>();
  for (const [group, members] of [...groups].sort(([, a], [, b]) => b.size - a.size)) {
    if (count <= max) break;
    widened.add(group);
    count -= members.size - 1;
  }
  if (count > max) throw new TerminalError('TooManySubscriptions', `${count} vault/type groups are more than the registry's ${max} subscriptions`);
  const set: Subscription[] = [];
  for (const [group, members] of groups) {
    const first = members.values().next().value as Subscription;
    if (widened.has(group)) set.push({ vault: first.vault, objectType: first.objectType, objectName: '*' });
    else set.push(...members.values());
  }
  return set.sort(compare);
}

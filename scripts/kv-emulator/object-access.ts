/**
 * Per-identity access to vault objects, as Azure RBAC role assignments scoped to single secrets/certificates/keys
 * work: a client id with rules may touch only the objects whose names match one of its globs in a matching vault
 * (403 ForbiddenByRbac otherwise, for existing and missing objects alike); listing a vault needs a `*` grant on it.
 * A client id without rules is not restricted here (the vault's client list still applies).
 */
import { compileNameGlob } from '../../core/routing/name-glob.js';

export interface ObjectAccessRule {
  /** Vault name or glob. */
  vault: string;
  /** Object-name globs (`*` any run, `?` one character), case-insensitive. */
  objects: string[];
}

interface CompiledRule {
  vault: (name: string) => boolean;
  objects: ((name: string) => boolean)[];
  wholeVault: boolean;
}

export class ObjectAccess {
  private readonly byClient = new Map<string, CompiledRule[]>();

  /** Restrict `clientId` to these rules; undefined lifts the restriction. */
  restrict(clientId: string, rules: readonly ObjectAccessRule[] | undefined): void {
    const key = clientId.toLowerCase();
    if (rules === undefined) {
      this.byClient.delete(key);
      return;
    }
    this.byClient.set(key, rules.map((r) => ({ vault: compileNameGlob(r.vault), objects: r.objects.map(compileNameGlob), wholeVault: r.objects.includes('*') })));
  }

  /** Whether `clientId` may use `objectName` in `vault` (undefined name: a vault-wide operation such as a listing). */
  allows(clientId: string, vault: string, objectName: string | undefined): boolean {
    const rules = this.byClient.get(clientId.toLowerCase());
    if (!rules) return true;
    return rules.some((r) => r.vault(vault) && (objectName === undefined ? r.wholeVault : r.objects.some((m) => m(objectName))));
  }
}

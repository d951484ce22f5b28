/**
 * Finds the credentials for an image among parsed `.dockerconfigjson` (or legacy `.dockercfg`) pull secrets, the
 * way the kubelet's keyring does: a key matches when its host matches the registry (labels may be `*` globs, the
 * port must be equal) and its path, if any, is a prefix of the repository; Docker Hub's many spellings
 * (`https://index.docker.io/v1/`, `docker.io`, `registry-1.docker.io`) are one. All matches are returned, most
 * specific key first and in secret order, so the caller can try each as the kubelet does.
 */
import { DOCKER_HUB, type ImageReference } from './image-reference.js';

/** One entry of a pull secret's `auths`. */
export interface DockerConfigEntry {
  readonly auth?: string;
  readonly username?: string;
  readonly password?: string;
  /** An OAuth2 refresh token for the registry's token endpoint (ACR's `identitytoken`). */
  readonly identitytoken?: string;
}
/** A parsed `.dockerconfigjson` (`{auths: {...}}`) or legacy `.dockercfg` (the map itself). */
export type DockerConfig = { readonly auths?: Readonly<Record<string, DockerConfigEntry>> } | Readonly<Record<string, DockerConfigEntry>>;

export interface RegistryCredential {
  /** Where it came from, for messages: `pull secret #<n> entry <key>` (never the values). */
  readonly source: string;
  readonly username: string;
  readonly password: string;
  readonly identityToken: string | undefined;
}

interface ParsedKey {
  readonly hostLabels: readonly string[];
  readonly port: string;
  readonly path: string;
}

const HUB_ALIASES = new Set(['index.docker.io', 'registry-1.docker.io', DOCKER_HUB]);

function parseKey(key: string): ParsedKey | undefined {
  const withoutScheme = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  const hostPort = (slash < 0 ? withoutScheme : withoutScheme.slice(0, slash)).toLowerCase();
  let path = slash < 0 ? '' : withoutScheme.slice(slash + 1).replace(/\/+$/, '');
  const m = /^([^:]+)(?::(\d+))?$/.exec(hostPort);
  if (!m?.[1]) return undefined;
  let host = m[1];
  if (HUB_ALIASES.has(host)) {
    host = DOCKER_HUB;
    if (path === 'v1' || path === 'v2') path = '';
  }
  return { hostLabels: host.split('.'), port: m[2] ?? '', path };
}

const labelMatches = (pattern: string, label: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*').replace(/\?/g, '[^.]')}$`).test(label);

function keyMatches(key: ParsedKey, ref: ImageReference): boolean {
  const [host, port = ''] = ref.registry.toLowerCase().split(/:(?=\d+$)/);
  const labels = (host ?? '').split('.');
  if (key.port !== port || key.hostLabels.length !== labels.length) return false;
  if (!key.hostLabels.every((p, i) => labelMatches(p, labels[i] ?? ''))) return false;
  return key.path === '' || ref.repository === key.path || ref.repository.startsWith(`${key.path}/`);
}

function decode(entry: DockerConfigEntry): { username: string; password: string } | undefined {
  if (entry.username !== undefined || entry.password !== undefined) return { username: entry.username ?? '', password: entry.password ?? '' };
  if (typeof entry.auth !== 'string' || entry.auth === '') return undefined;
  const text = new TextDecoder().decode(Uint8Array.from(atob(entry.auth.trim()), (c) => c.charCodeAt(0)));
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

const specificity = (k: ParsedKey): number => k.path.length * 4 + (k.hostLabels.some((l) => l.includes('*') || l.includes('?')) ? 0 : 2);

export function credentialsForImage(ref: ImageReference, secrets: readonly DockerConfig[]): RegistryCredential[] {
  const found: { credential: RegistryCredential; rank: number; order: number }[] = [];
  secrets.forEach((secret, index) => {
    if (typeof secret !== 'object' || secret === null) return; // parsed JSON of any shape may arrive here
    const inner = (secret as { auths?: unknown }).auths;
    const auths = (typeof inner === 'object' && inner !== null ? inner : 'auths' in secret ? {} : secret) as Record<string, DockerConfigEntry>;
    for (const [rawKey, entry] of Object.entries(auths)) {
      const key = parseKey(rawKey);
      if (!key || typeof entry !== 'object' || entry === null || !keyMatches(key, ref)) continue;
      let basic: { username: string; password: string } | undefined;
      try {
        basic = decode(entry);
      } catch {
        basic = undefined; // an `auth` that is not base64: skip the entry, like the kubelet
      }
      const identityToken = typeof entry.identitytoken === 'string' && entry.identitytoken !== '' ? entry.identitytoken : undefined;
      if (!basic && !identityToken) continue;
      found.push({
        credential: { source: `pull secret #${index + 1} entry '${rawKey}'`, username: basic?.username ?? '', password: basic?.password ?? '', identityToken },
        rank: specificity(key),
        order: found.length,
      });
    }
  });
  return found.sort((a, b) => b.rank - a.rank || a.order - b.order).map((f) => f.credential);
}

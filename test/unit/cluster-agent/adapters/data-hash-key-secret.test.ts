import type { V1Secret } from '@kubernetes/client-node';
import { getOrCreateDataHashKey } from '../../../../cluster-agent/adapters/data-hash-key-secret.js';
import type { SecretReadCreateApi } from '../../../../cluster-agent/adapters/data-hash-key-secret.js';

const REF = { namespace: 'akvsync-system', name: 'akvsync-data-hash-key' };
const KEY = new Uint8Array(Buffer.alloc(32, 7));
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const apiError = (code: number): Error => Object.assign(new Error(`HTTP ${code} body: secret stuff`), { code, body: '{"reason":"Whatever"}' });

/** An apiserver of one namespace's Secrets; `beforeCreate` runs between the agent's read and its create (a racing replica). */
class FakeSecrets {
  readonly secrets = new Map<string, V1Secret>();
  readonly created: V1Secret[] = [];
  beforeCreate: (() => void) | undefined;
  failWith: { read?: number; create?: number } = {};

  readonly api = {
    readNamespacedSecret: async ({ name }: { name: string; namespace: string }): Promise<V1Secret> => {
      if (this.failWith.read) throw apiError(this.failWith.read);
      const s = this.secrets.get(name);
      if (!s) throw apiError(404);
      return structuredClone(s);
    },
    createNamespacedSecret: async ({ body }: { namespace: string; body: V1Secret }): Promise<V1Secret> => {
      this.beforeCreate?.();
      if (this.failWith.create) throw apiError(this.failWith.create);
      const name = body.metadata?.name ?? '';
      if (this.secrets.has(name)) throw apiError(409);
      this.secrets.set(name, structuredClone(body));
      this.created.push(body);
      return body;
    },
  } as unknown as SecretReadCreateApi;

  put(data: Record<string, string> | undefined): void {
    this.secrets.set(REF.name, { metadata: { name: REF.name, namespace: REF.namespace }, ...(data ? { data } : {}) });
  }
}

describe('getOrCreateDataHashKey', () => {
  it('creates an immutable Secret with 32 random bytes when absent, then reads the same key back', async () => {
    const fake = new FakeSecrets();
    const first = await getOrCreateDataHashKey(fake.api, REF);
    expect(first.created).toBe(true);
    expect(first.key.byteLength).toBe(32);
    expect(fake.created).toHaveLength(1);
    expect(fake.created[0]).toMatchObject({ metadata: { name: REF.name, namespace: REF.namespace }, type: 'Opaque', immutable: true, data: { key: b64(first.key) } });

    const again = await getOrCreateDataHashKey(fake.api, REF);
    expect(again).toEqual({ key: first.key, created: false });
    expect(fake.created).toHaveLength(1);
  });

  it('uses an existing key as it is, including a longer one', async () => {
    const fake = new FakeSecrets();
    const long = new Uint8Array(Buffer.alloc(48, 3));
    fake.put({ key: b64(long) });
    expect(await getOrCreateDataHashKey(fake.api, REF)).toEqual({ key: long, created: false });
    expect(fake.created).toHaveLength(0);
  });

  it('on 409 (another replica created it first) adopts the winner\'s key, not its own', async () => {
    const fake = new FakeSecrets();
    fake.beforeCreate = () => {
      fake.beforeCreate = undefined;
      fake.put({ key: b64(KEY) });
    };
    const result = await getOrCreateDataHashKey(fake.api, REF, () => new Uint8Array(Buffer.alloc(32, 9)));
    expect(result).toEqual({ key: KEY, created: false });
    expect(fake.secrets.get(REF.name)?.data?.key).toBe(b64(KEY));
  });

  it.each([
    ['no data at all', undefined, /has no data entry "key"/],
    ['another entry only', { other: b64(KEY) }, /has no data entry "key"/],
    ['a short key', { key: b64(KEY.subarray(0, 31)) }, /holds a 31-byte "key"; at least 32 bytes are needed/],
    ['an empty key', { key: '' }, /holds a 0-byte "key"/],
  ])('refuses a Secret with %s, names it, and never replaces it', async (_what, data, message) => {
    const fake = new FakeSecrets();
    fake.put(data);
    const before = structuredClone(fake.secrets.get(REF.name));
    const error = (await getOrCreateDataHashKey(fake.api, REF).catch((e: unknown) => e)) as Error & { code?: string };
    expect(error).toMatchObject({ code: 'DataHashKeyInvalid' });
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`${REF.namespace}/${REF.name}`);
    expect(error.message).toMatch(/does not replace it/);
    expect(fake.created).toHaveLength(0);
    expect(fake.secrets.get(REF.name)).toEqual(before);
  });

  it('never puts key bytes in an error message', async () => {
    const fake = new FakeSecrets();
    const short = new Uint8Array(Buffer.from('0123456789abcdef'));
    fake.put({ key: b64(short) });
    const error = (await getOrCreateDataHashKey(fake.api, REF).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain(b64(short));
    expect(error.message).not.toContain('0123456789abcdef');
  });

  it.each([
    [{ read: 403 }, 'KubernetesForbidden', /get Secret akvsync-system\/akvsync-data-hash-key \(403/],
    [{ create: 403 }, 'KubernetesForbidden', /create Secret akvsync-system\/akvsync-data-hash-key \(403/],
    [{ read: 503 }, 'KubernetesUnavailable', /get Secret/],
  ])('maps Kubernetes failures to named errors without the response body: %j', async (failWith, code, message) => {
    const fake = new FakeSecrets();
    fake.failWith = failWith;
    const error = (await getOrCreateDataHashKey(fake.api, REF).catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('secret stuff');
  });
});

import { OutputLookup } from '../../../../cluster-agent/controller/output-lookup.js';
import { TransientError } from '../../../../core/errors.js';
import { InMemoryClusterApi } from '../support/in-memory-cluster-api.js';

const KEY = new Uint8Array(32).fill(3);
const SOURCE = 'source.akvsync.io/abc';

function cluster(): InMemoryClusterApi {
  const c = new InMemoryClusterApi(KEY);
  for (const name of ['a', 'b']) {
    c.putOutput({ kind: 'Secret', namespace: 'ns', name, secretType: 'Opaque', data: { v: Buffer.from(name) }, labels: { [SOURCE]: 'true' }, annotations: {}, owners: [{ apiVersion: 'akvsync.io/v1', kind: 'AzureKeyVaultSecret', name: name, uid: 'uid', controller: true }] });
  }
  c.putOutput({ kind: 'Secret', namespace: 'ns', name: 'foreign', secretType: 'Opaque', data: { v: Buffer.from('x') }, labels: {}, annotations: {}, owners: [] });
  return c;
}

describe('OutputLookup', () => {
  it('reads a lone output of a namespace with a GET, and several with one list by the source label', async () => {
    const c = cluster();
    const lookup = new OutputLookup(c, SOURCE, [{ kind: 'Secret', namespace: 'ns' }, { kind: 'Secret', namespace: 'ns' }, { kind: 'Secret', namespace: 'other' }]);
    expect((await lookup.get({ kind: 'Secret', namespace: 'ns', name: 'a' }))?.name).toBe('a');
    expect((await lookup.get({ kind: 'Secret', namespace: 'ns', name: 'b' }))?.name).toBe('b');
    expect(await lookup.get({ kind: 'Secret', namespace: 'other', name: 'a' })).toBeUndefined();
    expect(c.outputListings).toEqual(['Secret/ns']);
    expect(c.outputReads).toEqual(['Secret/other/a']);
  });

  it('still reads on its own an output the list does not hold (an unlabelled object of that name, or none)', async () => {
    const c = cluster();
    const lookup = new OutputLookup(c, SOURCE, [{ kind: 'Secret', namespace: 'ns' }, { kind: 'Secret', namespace: 'ns' }]);
    expect((await lookup.get({ kind: 'Secret', namespace: 'ns', name: 'foreign' }))?.owners).toEqual([]);
    expect(await lookup.get({ kind: 'Secret', namespace: 'ns', name: 'absent' })).toBeUndefined();
    expect(c.outputReads).toEqual(['Secret/ns/foreign', 'Secret/ns/absent']);
  });

  it('does not remember a failed list: the next output of the namespace lists again', async () => {
    const c = cluster();
    const list = c.listOutputs.bind(c);
    let calls = 0;
    c.listOutputs = async (...args) => (++calls === 1 ? Promise.reject(new TransientError('KubernetesUnavailable', 'apiserver 503')) : list(...args));
    const lookup = new OutputLookup(c, SOURCE, [{ kind: 'Secret', namespace: 'ns' }, { kind: 'Secret', namespace: 'ns' }]);
    await expect(lookup.get({ kind: 'Secret', namespace: 'ns', name: 'a' })).rejects.toMatchObject({ code: 'KubernetesUnavailable' });
    expect((await lookup.get({ kind: 'Secret', namespace: 'ns', name: 'b' }))?.name).toBe('b');
    expect(calls).toBe(2);
  });

  it('prefetch starts the reads at once; each get is answered by its read in flight, once (a later get reads again)', async () => {
    const c = cluster();
    const lookup = new OutputLookup(c, SOURCE, [{ kind: 'Secret', namespace: 'other' }]);
    c.putOutput({ kind: 'Secret', namespace: 'other', name: 'x', secretType: 'Opaque', data: { v: Buffer.from('x') }, labels: { [SOURCE]: 'true' }, annotations: {}, owners: [] });
    lookup.prefetch([{ kind: 'Secret', namespace: 'other', name: 'x' }]);
    expect(c.outputReads).toEqual(['Secret/other/x']);
    expect((await lookup.get({ kind: 'Secret', namespace: 'other', name: 'x' }))?.name).toBe('x');
    expect(c.outputReads).toEqual(['Secret/other/x']);
    await lookup.get({ kind: 'Secret', namespace: 'other', name: 'x' });
    expect(c.outputReads).toEqual(['Secret/other/x', 'Secret/other/x']);
  });

  it('does not keep a failed prefetch: the get that needs the output reads again and gets the error or the object', async () => {
    const c = cluster();
    const get = c.getOutput.bind(c);
    let calls = 0;
    c.getOutput = async (ref) => (++calls === 1 ? Promise.reject(new TransientError('KubernetesUnavailable', 'apiserver 503')) : get(ref));
    const lookup = new OutputLookup(c, SOURCE, [{ kind: 'Secret', namespace: 'ns' }]);
    lookup.prefetch([{ kind: 'Secret', namespace: 'ns', name: 'a' }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await lookup.get({ kind: 'Secret', namespace: 'ns', name: 'a' }))?.name).toBe('a');
    expect(calls).toBe(2);
  });
});

import { parseImageReference } from '../../../../core/images/image-reference.js';
import { credentialsForImage } from '../../../../core/images/pull-secret-credentials.js';

const auth = (u: string, p: string) => ({ auth: Buffer.from(`${u}:${p}`).toString('base64') });
const users = (ref: string, secrets: Parameters<typeof credentialsForImage>[1]) => credentialsForImage(parseImageReference(ref), secrets).map((c) => c.username);

describe('credentialsForImage', () => {
  it('matches by host and port, Docker Hub spellings as one', () => {
    const secrets = [{ auths: { 'https://index.docker.io/v1/': auth('hub', 'p1'), 'reg.example:5000': auth('withport', 'p2'), 'reg.example': auth('noport', 'p3') } }];
    expect(users('nginx', secrets)).toEqual(['hub']);
    expect(users('reg.example:5000/app', secrets)).toEqual(['withport']);
    expect(users('reg.example/app', secrets)).toEqual(['noport']);
    expect(users('other.example/app', secrets)).toEqual([]);
  });
  it('honours paths and globs, most specific first, then secret order (pod secrets before the ServiceAccount\'s)', () => {
    const pod = { auths: { '*.azurecr.io': auth('glob', 'x'), 'my.azurecr.io/team': auth('team', 'x') } };
    const sa = { auths: { 'my.azurecr.io': auth('host', 'x') } };
    expect(users('my.azurecr.io/team/app', [pod, sa])).toEqual(['team', 'host', 'glob']);
    expect(users('my.azurecr.io/other/app', [pod, sa])).toEqual(['host', 'glob']);
    expect(users('my.azurecr.io.evil.example/team/app', [pod, sa])).toEqual([]);
    expect(users('a.b.azurecr.io/app', [pod])).toEqual([]);
  });
  it('reads username/password fields, identitytoken, UTF-8 and legacy .dockercfg; skips broken entries', () => {
    const creds = credentialsForImage(parseImageReference('r.example/app'), [
      { 'r.example': { username: 'u', password: 'pässword' } },
      { auths: { 'r.example': { auth: '%%%not-base64' }, 'https://r.example': { identitytoken: 'refresh-xyz' } } },
      { auths: { 'r.example': { auth: Buffer.from('ünïcode:pw:with:colons').toString('base64') } } },
    ]);
    expect(creds.map(({ username, password, identityToken }) => ({ username, password, identityToken }))).toEqual([
      { username: 'u', password: 'pässword', identityToken: undefined },
      { username: '', password: '', identityToken: 'refresh-xyz' },
      { username: 'ünïcode', password: 'pw:with:colons', identityToken: undefined },
    ]);
    expect(creds[1]?.source).toBe("pull secret #2 entry 'https://r.example'");
  });
  it('ignores pull secrets and entries of the wrong shape', () => {
    const garbage = [null, 'x', 7, { auths: null }, { auths: { 'r.example': null } }, { auths: { 'r.example': { auth: 7 } } }, { auths: { 'r.example': 'str' } }] as unknown as Parameters<typeof credentialsForImage>[1];
    expect(users('r.example/app', garbage)).toEqual([]);
  });
});

import { parseAuthChallenges } from '../../../../core/images/auth-challenge.js';

describe('parseAuthChallenges', () => {
  it('parses a registry Bearer challenge', () => {
    expect(parseAuthChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } },
    ]);
  });
  it('parses Basic, token values, spaces around = and several challenges', () => {
    expect(parseAuthChallenges('Basic realm="Registry Realm", Bearer realm = "https://r/t" , service=reg.example, error="insufficient_scope"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
      { scheme: 'bearer', params: { realm: 'https://r/t', service: 'reg.example', error: 'insufficient_scope' } },
    ]);
  });
  it('unescapes quoted strings and keeps commas inside them', () => {
    expect(parseAuthChallenges('Bearer realm="a\\"b,c",scope="repository:x:pull,push"')[0]?.params).toEqual({ realm: 'a"b,c', scope: 'repository:x:pull,push' });
  });
  it('returns what it parsed before malformed input, and nothing for garbage', () => {
    expect(parseAuthChallenges('Bearer realm="https://r/t",service="unterminated')).toEqual([{ scheme: 'bearer', params: { realm: 'https://r/t' } }]);
    expect(parseAuthChallenges('')).toEqual([]);
    expect(parseAuthChallenges('"quoted"')).toEqual([]);
  });
});

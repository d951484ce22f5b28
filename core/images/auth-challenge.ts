/**
 * Parses `WWW-Authenticate` (RFC 7235): one or more challenges, each a scheme followed by comma-separated
 * `name=value` parameters (token or quoted string with `\` escapes), e.g.
 * `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:app:pull"`.
 * Scheme and parameter names are lower-cased. Malformed input yields the challenges parsed before the fault.
 */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

export function parseAuthChallenges(header: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const skip = (): void => {
    while (i < header.length && /[\s,]/.test(header[i] ?? '')) i++;
  };
  for (;;) {
    skip();
    const scheme = TOKEN.exec(header.slice(i))?.[0];
    if (!scheme) return challenges;
    i += scheme.length;
    const current = { scheme: scheme.toLowerCase(), params: {} as Record<string, string> };
    challenges.push(current);
    for (;;) {
      skip();
      const rest = header.slice(i);
      const name = TOKEN.exec(rest)?.[0];
      if (!name) return challenges;
      const afterName = rest.slice(name.length).replace(/^\s*/, '');
      if (!afterName.startsWith('=')) break; // a new scheme (or a token68, which registries do not use)
      i += rest.length - afterName.length + 1;
      while (header[i] === ' ') i++;
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < header.length && header[i] !== '"') {
          if (header[i] === '\\') i++;
          value += header[i] ?? '';
          i++;
        }
        if (header[i] !== '"') return challenges; // unterminated quote: drop nothing parsed so far
        i++;
      } else {
        value = TOKEN.exec(header.slice(i))?.[0] ?? '';
        i += value.length;
      }
      current.params[name.toLowerCase()] = value;
    }
  }
}

/**
 * Object-name globs for routing: `*` matches any run of characters, `?` exactly one, everything else literally.
 * Case-insensitive, because Key Vault object names are.
 */
export function compileNameGlob(pattern: string): (name: string) => boolean {
  if (pattern === '*') return () => true;
  const source = Array.from(pattern, (ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  const re = new RegExp(`^${source}$`, 'iu');
  return (name) => re.test(name);
}

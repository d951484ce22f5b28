/** `%name%` in a binding property resolves to the app setting `name`, as the Functions host does. */
export function resolveAppSettingExpressions(value: string, env: Readonly<Record<string, string | undefined>>, what: string): string {
  return value.replace(/%([^%]+)%/g, (_all, name: string) => {
    const resolved = env[name];
    if (resolved === undefined) throw new Error(`${what}: app setting "${name}" (referenced as %${name}%) is not set`);
    return resolved;
  });
}

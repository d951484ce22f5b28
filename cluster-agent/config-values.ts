import { TerminalError } from '../core/errors.js';

/** A bad setting: the message starts with the setting's name and never echoes a secret setting's value. */
export class ConfigError extends TerminalError {
  readonly setting: string;
  constructor(setting: string, problem: string) {
    super('InvalidConfig', `${setting} ${problem}`);
    this.setting = setting;
  }
}

/** `--notify-port 8443` / `--notify-port=8443` → { AKVSYNC_NOTIFY_PORT: '8443' }; `--kubeconfig x` → KUBECONFIG. */
export function envFromArgv(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!m) throw new ConfigError(`argument ${JSON.stringify(arg.slice(0, 40))}`, 'is not a --flag');
    const flag = m[1] as string;
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) value = 'true';
      else {
        value = next;
        i++;
      }
    }
    const name = flag === 'kubeconfig' ? 'KUBECONFIG' : `AKVSYNC_${flag.toUpperCase().replaceAll('-', '_')}`;
    out[name] = value;
  }
  return out;
}

export function parseBool(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  const v = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, 'must be true or false');
}

export function parseInteger(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}`);
  return n;
}

export function parseNumber(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(name, `must be a number from ${min} to ${max}`);
  return n;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `1800` (seconds), `500ms`, `5s`, `30m`, `1h`. */
export function parseDuration(name: string, raw: string | undefined, fallbackMs: number, minMs: number): number {
  if (raw === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw);
  if (!m) throw new ConfigError(name, 'must be a duration such as 30m, 45s or 1800');
  const ms = Number(m[1]) * (UNIT_MS[m[2] ?? 's'] as number);
  if (ms < minMs) throw new ConfigError(name, `must be at least ${minMs} ms`);
  return Math.round(ms);
}

export function parseHost(name: string, raw: string): string {
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(raw)) throw new ConfigError(name, 'must be a host name or IP address');
  return raw;
}

export function parseUrl(name: string, raw: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL');
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(name, `must use ${protocols.join(' or ')}`);
  return raw;
}

export function parseJsonMap(name: string, raw: string | undefined): Record<string, string> {
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(name, 'must be a JSON object of name to URL');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(name, 'must be a JSON object of name to URL');
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string') throw new ConfigError(`${name}.${k}`, 'must be a string');
  }
  return parsed as Record<string, string>;
}

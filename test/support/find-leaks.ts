/**
 * Finds secret values in text a test collected (log lines, Events, status, wire bodies), in the forms a leak takes:
 * raw, base64 and base64url. A finding says where and shows the offending text with every value form masked, so a
 * failing leak check is diagnosable from its output without printing the secret it caught.
 */
export type LeakForm = 'raw' | 'base64' | 'base64url';

export interface Leak {
  /** Which collection the text came from, e.g. "agent log lines". */
  readonly place: string;
  /** Index of the text within its place. */
  readonly index: number;
  /** Index of the leaked value in `values`, and the form it appeared in. */
  readonly value: number;
  readonly form: LeakForm;
  /** The text with every form of every value replaced by `[value#<i>:<form>]`; at most `maxExcerpt` characters around the first mask. */
  readonly masked: string;
}

const FORMS: readonly LeakForm[] = ['raw', 'base64', 'base64url'];

function encode(value: string, form: LeakForm): string {
  return form === 'raw' ? value : Buffer.from(value, 'utf8').toString(form);
}

/** Every (place, text, value, form) where a value appears; empty when nothing leaked. */
export function findLeaks(values: readonly string[], places: Readonly<Record<string, readonly string[]>>, maxExcerpt = 400): Leak[] {
  // Longest needle first, so a raw value that is a substring of another form never splits a mask.
  const needles = values
    .flatMap((v, value) => FORMS.map((form) => ({ value, form, text: encode(v, form) })))
    .filter((n) => n.text.length > 0)
    .sort((a, b) => b.text.length - a.text.length);
  const mask = (text: string): string => {
    let out = text;
    for (const n of needles) out = out.split(n.text).join(`[value#${n.value}:${n.form}]`);
    if (out.length <= maxExcerpt) return out;
    const start = Math.max(0, Math.min(out.indexOf('[value#') - Math.floor(maxExcerpt / 2), out.length - maxExcerpt));
    return `${start > 0 ? '…' : ''}${out.slice(start, start + maxExcerpt)}${start + maxExcerpt < out.length ? '…' : ''}`;
  };
  const leaks: Leak[] = [];
  for (const [place, texts] of Object.entries(places)) {
    texts.forEach((text, index) => {
      // One finding per value and text: its longest form found (base64url is often a prefix of base64).
      const found = needles.filter((n, i) => text.includes(n.text) && !needles.slice(0, i).some((m) => m.value === n.value && text.includes(m.text)));
      if (found.length === 0) return;
      const masked = mask(text);
      for (const n of found) leaks.push({ place, index, value: n.value, form: n.form, masked });
    });
  }
  return leaks;
}

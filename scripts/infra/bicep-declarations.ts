/**
 * A small, strict reader of the Bicep this repository writes (no Bicep compiler is reachable here: it ships
 * only as a .NET tool). It splits a file into its top-level declarations — `targetScope`, `param`, `var`,
 * `resource`, `module`, `output`, with their decorators — and reads object/array/string/number/bool literals.
 * Anything else is kept as the raw expression text ({ expr }), never evaluated.
 *
 * Limits (stated in infra/README.md): no `import`, `type`, `func`, `metadata` or `extension` declarations
 * (refused, not skipped); object literals must put one property per line (as `bicep format` writes them);
 * multi-line ''' strings are refused; expressions, conditions and loops are returned as text, not evaluated.
 */

export type BicepValue = string | number | boolean | null | BicepValue[] | { readonly [key: string]: BicepValue } | BicepExpression;
export interface BicepExpression {
  readonly expr: string;
}

export interface BicepDeclaration {
  readonly kind: 'targetScope' | 'param' | 'var' | 'resource' | 'module' | 'output';
  readonly name: string;
  /** param/output: the type; resource: `Type@api-version`; module: the path. */
  readonly type: string | undefined;
  readonly existing: boolean;
  /** The text of `if (...)`, or of a `[for ...:` loop header. */
  readonly condition: string | undefined;
  readonly loop: string | undefined;
  /** A param's default, a var's or output's value, a resource's or module's body. */
  readonly value: BicepValue | undefined;
  readonly decorators: readonly string[];
}

export class BicepReadError extends Error {
  constructor(file: string, offset: number, source: string, message: string) {
    const line = source.slice(0, offset).split('\n').length;
    super(`${file}:${line}: ${message}`);
    this.name = 'BicepReadError';
  }
}

export const isExpression = (v: BicepValue | undefined): v is BicepExpression =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { expr?: unknown }).expr === 'string' && Object.keys(v).length === 1;

export function readBicep(file: string, source: string): BicepDeclaration[] {
  return new BicepReader(file, stripComments(file, source)).declarations();
}

/** Replaces comments with spaces (keeping offsets), leaving strings — which may hold `//` — intact. */
function stripComments(file: string, source: string): string {
  let out = '';
  for (let i = 0; i < source.length; ) {
    if (source.startsWith("'''", i)) throw new BicepReadError(file, i, source, "multi-line ''' strings are not supported by this reader");
    if (source[i] === "'") {
      const end = stringEnd(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (source.startsWith('//', i)) {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? source.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (source.startsWith('/*', i)) {
      const stop = source.indexOf('*/', i) + 2;
      if (stop < 2) throw new BicepReadError(file, i, source, 'unterminated comment');
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else out += source[i++];
  }
  return out;
}

/** Index just past the string literal that starts at `start` (handles \' escapes and ${...} holes). */
function stringEnd(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === "'") return i + 1;
    else if (c === '$' && source[i + 1] === '{') i = balancedEnd(source, i + 1) - 1;
    else if (c === '\n') break;
  }
  throw new Error(`unterminated string at offset ${start}`);
}

/** Index just past the bracket group that opens at `open` ({, [ or (), skipping strings. */
function balancedEnd(source: string, open: number): number {
  const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  const stack: string[] = [];
  for (let i = open; i < source.length; i++) {
    const c = source[i]!;
    if (c === "'") i = stringEnd(source, i) - 1;
    else if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return i + 1;
    } else if (c === '}' || c === ']' || c === ')') throw new Error(`unbalanced "${c}" at offset ${i}`);
  }
  throw new Error(`unclosed "${source[open]}" at offset ${open}`);
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

class BicepReader {
  #pos = 0;
  readonly #file: string;
  readonly #src: string;

  constructor(file: string, src: string) {
    this.#file = file;
    this.#src = src;
  }

  declarations(): BicepDeclaration[] {
    const result: BicepDeclaration[] = [];
    let decorators: string[] = [];
    for (this.#skipSpace(); this.#pos < this.#src.length; this.#skipSpace()) {
      if (this.#src[this.#pos] === '@') {
        const start = this.#pos;
        this.#pos++;
        this.#ident();
        if (this.#src[this.#pos] === '(') this.#pos = balancedEnd(this.#src, this.#pos);
        decorators.push(this.#src.slice(start, this.#pos));
        continue;
      }
      const keyword = this.#ident();
      if (!['targetScope', 'param', 'var', 'resource', 'module', 'output'].includes(keyword)) this.#fail(`unsupported declaration "${keyword}"`);
      result.push(this.#declaration(keyword as BicepDeclaration['kind'], decorators));
      decorators = [];
    }
    if (decorators.length > 0) this.#fail('decorator without a declaration');
    return result;
  }

  #declaration(kind: BicepDeclaration['kind'], decorators: string[]): BicepDeclaration {
    const base = { kind, decorators, existing: false, condition: undefined, loop: undefined, type: undefined, value: undefined };
    if (kind === 'targetScope') {
      this.#expect('=');
      return { ...base, name: 'targetScope', value: this.#valueToLineEnd() };
    }
    const name = this.#ident();
    if (kind === 'var') {
      this.#expect('=');
      return { ...base, name, value: this.#value() };
    }
    if (kind === 'param' || kind === 'output') {
      const type = this.#ident();
      if (kind === 'output') this.#expect('=');
      else if (this.#peek() !== '=') return { ...base, name, type };
      else this.#expect('=');
      return { ...base, name, type, value: this.#value() };
    }
    const type = this.#string();
    let existing = false;
    this.#skipSpace();
    if (this.#src.startsWith('existing', this.#pos)) {
      this.#ident();
      existing = true;
    }
    this.#expect('=');
    let condition: string | undefined;
    let loop: string | undefined;
    this.#skipSpace();
    if (this.#src.startsWith('if', this.#pos) && /\s|\(/.test(this.#src[this.#pos + 2] ?? '')) {
      this.#pos += 2;
      this.#skipSpace();
      const end = balancedEnd(this.#src, this.#pos);
      condition = this.#src.slice(this.#pos + 1, end - 1).trim();
      this.#pos = end;
    } else if (this.#src[this.#pos] === '[') {
      // [for x in xs: { ... }] — keep the header, read the body.
      const close = balancedEnd(this.#src, this.#pos);
      const inner = this.#src.slice(this.#pos + 1, close - 1);
      const colon = /^\s*for\s[^:]*:/.exec(inner);
      if (!colon) this.#fail('a [ ... ] resource body must be a for loop');
      loop = colon[0].trim().replace(/:$/, '');
      this.#pos = this.#pos + 1 + colon[0].length;
      const body = this.#value();
      this.#skipSpace();
      if (this.#pos !== close - 1) this.#fail('unexpected text after the loop body');
      this.#pos = close;
      return { ...base, name, type, existing, loop, value: body };
    }
    return { ...base, name, type, existing, condition, loop, value: this.#value() };
  }

  #value(): BicepValue {
    this.#skipInlineSpace();
    const c = this.#src[this.#pos];
    if (c === '{') return this.#object();
    if (c === '[' && !/^\[\s*for\s/.test(this.#src.slice(this.#pos, this.#pos + 8))) return this.#array();
    return this.#valueToLineEnd();
  }

  /** A scalar literal if the rest of the line is exactly one, else the raw expression. */
  #valueToLineEnd(): BicepValue {
    this.#skipInlineSpace();
    const start = this.#pos;
    while (this.#pos < this.#src.length && this.#src[this.#pos] !== '\n') {
      const c = this.#src[this.#pos]!;
      if (c === "'") this.#pos = stringEnd(this.#src, this.#pos);
      else if (c === '(' || c === '[' || c === '{') this.#pos = balancedEnd(this.#src, this.#pos);
      else if (c === '}' || c === ']') break;
      else this.#pos++;
    }
    const text = this.#src.slice(start, this.#pos).trim();
    if (text === '') this.#fail('expected a value');
    if (/^'/.test(text) && stringEnd(text, 0) === text.length) return unescape(text.slice(1, -1));
    if (/^-?\d+$/.test(text)) return Number(text);
    if (text === 'true' || text === 'false') return text === 'true';
    if (text === 'null') return null;
    return { expr: text };
  }

  #object(): { [key: string]: BicepValue } {
    this.#expect('{');
    const result: { [key: string]: BicepValue } = {};
    for (this.#skipSpace(); this.#src[this.#pos] !== '}'; this.#skipSpace()) {
      if (this.#pos >= this.#src.length) this.#fail('unclosed object');
      const key = this.#src[this.#pos] === "'" ? this.#string() : this.#ident();
      this.#expect(':');
      if (key in result) this.#fail(`duplicate property "${key}"`);
      result[key] = this.#value();
      this.#skipInlineSpace();
      if (this.#src[this.#pos] !== '\n' && this.#src[this.#pos] !== '}') this.#fail(`one property per line (after "${key}")`);
    }
    this.#pos++;
    return result;
  }

  #array(): BicepValue[] {
    this.#expect('[');
    const result: BicepValue[] = [];
    for (this.#skipSpace(); this.#src[this.#pos] !== ']'; this.#skipSpace()) {
      if (this.#pos >= this.#src.length) this.#fail('unclosed array');
      result.push(this.#value());
    }
    this.#pos++;
    return result;
  }

  #string(): string {
    this.#skipSpace();
    if (this.#src[this.#pos] !== "'") this.#fail('expected a string');
    const end = stringEnd(this.#src, this.#pos);
    const text = this.#src.slice(this.#pos + 1, end - 1);
    this.#pos = end;
    return unescape(text);
  }

  #ident(): string {
    this.#skipSpace();
    IDENT.lastIndex = this.#pos;
    const m = IDENT.exec(this.#src);
    if (!m) this.#fail('expected a name');
    this.#pos += m[0].length;
    return m[0];
  }

  #expect(token: string): void {
    this.#skipSpace();
    if (!this.#src.startsWith(token, this.#pos)) this.#fail(`expected "${token}"`);
    this.#pos += token.length;
  }

  #peek(): string | undefined {
    this.#skipInlineSpace();
    return this.#src[this.#pos];
  }

  #skipSpace(): void {
    while (/\s/.test(this.#src[this.#pos] ?? '')) this.#pos++;
  }

  #skipInlineSpace(): void {
    while (/[ \t\r]/.test(this.#src[this.#pos] ?? '')) this.#pos++;
  }

  #fail(message: string): never {
    throw new BicepReadError(this.#file, this.#pos, this.#src, message);
  }
}

function unescape(text: string): string {
  return text.replace(/\\(['\\nrt$])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

/** The `param name = value` assignments of a .bicepparam file (its `using` line names the template). */
export function readBicepParams(file: string, source: string): { using: string; params: Record<string, BicepValue> } {
  const using = /^\s*using\s+'([^']+)'\s*$/m.exec(source);
  if (!using?.[1]) throw new BicepReadError(file, 0, source, "a .bicepparam file starts with using '<template>'");
  // Same grammar as a `var` declaration once the using line is blanked and `param x =` reads `var x =`.
  const asVars = source.replace(using[0], ' '.repeat(using[0].length)).replace(/^(\s*)param(\s+\w+\s*=)/gm, '$1var  $2');
  const params = Object.fromEntries(readBicep(file, asVars).map((d) => {
    if (d.kind !== 'var' || d.value === undefined) throw new BicepReadError(file, 0, source, `only param assignments are supported (found ${d.kind} ${d.name})`);
    return [d.name, d.value];
  }));
  return { using: using[1], params };
}

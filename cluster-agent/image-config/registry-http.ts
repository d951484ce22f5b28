/**
 * One HTTPS exchange with a registry (or its token service), bounded for a hostile peer: the whole look-up
 * shares one deadline (an AbortSignal), bodies are read up to a byte cap, redirects are followed by hand up to a
 * limit (https only; Authorization is dropped when a redirect leaves the origin, e.g. blobs served from storage),
 * and no hop reaches a link-local or metadata address (an IP literal here, a resolved name in guarded-lookup.ts).
 * Every failure is an error that names the image and the reason, never a header, body or query string.
 */
import { errors as undiciErrors, request, type Dispatcher } from 'undici';
import { TerminalError, TransientError } from '../../core/errors.js';
import { forbiddenAddressReason } from '../../core/net/forbidden-address.js';

/** The state one resolution carries through its requests. */
export interface LookupContext {
  /** The image as the pod names it (plus the mirror, if one applies), for messages. */
  readonly image: string;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

export interface RegistryRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** An `application/x-www-form-urlencoded` body. */
  readonly form?: URLSearchParams;
  readonly maxBytes: number;
  /** What is fetched, for messages ("manifest", "image config", "token"). */
  readonly what: string;
}

export interface RegistryResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export const header = (res: RegistryResponse, name: string): string => {
  const value = res.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class RegistryHttp {
  readonly #dispatcher: Dispatcher;
  readonly #maxRedirects: number;

  constructor(dispatcher: Dispatcher, maxRedirects: number) {
    this.#dispatcher = dispatcher;
    this.#maxRedirects = maxRedirects;
  }

  async send(ctx: LookupContext, req: RegistryRequest): Promise<RegistryResponse> {
    let url = new URL(req.url);
    let headers: Record<string, string> = { ...req.headers };
    const origin = url.origin;
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'https:') throw new TerminalError('ImageRegistryInsecure', `image '${ctx.image}': the ${req.what} URL is not https (${url.protocol}//${url.host})`);
      const forbidden = forbiddenAddressReason(url.hostname);
      if (forbidden !== undefined) throw new TerminalError('ImageRegistryForbiddenHost', `image '${ctx.image}': the ${req.what} URL's host is refused (${forbidden})`);
      const answer = await this.#once(ctx, req, url, headers);
      if (!REDIRECTS.has(answer.status)) return answer;
      const location = header(answer, 'location');
      if (!location) throw new TerminalError('ImageRegistryBadAnswer', `image '${ctx.image}': ${req.what}: redirect (${answer.status}) without a Location`);
      if (hop >= this.#maxRedirects) {
        throw new TerminalError('ImageRegistryRedirects', `image '${ctx.image}': ${req.what}: more than ${this.#maxRedirects} redirects (a redirect loop?)`);
      }
      url = new URL(location, url);
      if (url.origin !== origin) {
        const { authorization: _dropped, ...rest } = headers;
        headers = rest;
      }
    }
  }

  async #once(ctx: LookupContext, req: RegistryRequest, url: URL, headers: Record<string, string>): Promise<RegistryResponse> {
    const where = `${url.protocol}//${url.host}`;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: req.method,
        headers: req.form ? { ...headers, 'content-type': 'application/x-www-form-urlencoded' } : headers,
        ...(req.form ? { body: req.form.toString() } : {}),
        dispatcher: this.#dispatcher,
        signal: ctx.signal,
        headersTimeout: ctx.timeoutMs,
        bodyTimeout: ctx.timeoutMs,
      });
    } catch (error) {
      throw this.#failure(ctx, req, where, error);
    }
    try {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > req.maxBytes) throw this.#tooLarge(ctx, req);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > req.maxBytes) throw this.#tooLarge(ctx, req);
        chunks.push(chunk as Buffer);
      }
      return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
    } catch (error) {
      res.body.destroy();
      throw error instanceof TerminalError ? error : this.#failure(ctx, req, where, error);
    }
  }

  #tooLarge(ctx: LookupContext, req: RegistryRequest): TerminalError {
    return new TerminalError('ImageRegistryTooLarge', `image '${ctx.image}': the registry's ${req.what} is larger than the ${req.maxBytes}-byte limit`);
  }

  #failure(ctx: LookupContext, req: RegistryRequest, where: string, error: unknown): Error {
    if (ctx.signal.aborted || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
      return new TransientError('ImageRegistryTimeout', `image '${ctx.image}': the registry did not answer the ${req.what} request within ${ctx.timeoutMs} ms`);
    }
    const code = (error as { code?: unknown }).code;
    if (code === 'EFORBIDDENADDRESS') {
      return new TerminalError('ImageRegistryForbiddenHost', `image '${ctx.image}': ${where} resolves to a link-local or metadata address, which look-ups never reach`);
    }
    const reason = typeof code === 'string' ? code : error instanceof Error ? error.name : 'error';
    return new TransientError('ImageRegistryUnreachable', `image '${ctx.image}': ${req.what} request to ${where} failed (${reason})`);
  }
}

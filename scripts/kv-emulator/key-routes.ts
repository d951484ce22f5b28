/** The keys REST surface of one vault: get (public JWK only), versions, list, create (RSA, EC), update. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { keyBundle, keyItem } from './bundles.js';
import type { KeyCurve } from './key-state.js';
import { latestOf, listPage, versionsPage } from './paging.js';
import type { RouteContext } from './secret-routes.js';

type Params = { name: string; version?: string };
type Query = Record<string, string | undefined>;
interface CreateBody {
  kty: 'RSA' | 'EC';
  key_size?: number;
  crv?: KeyCurve;
  attributes?: { enabled?: boolean; nbf?: number; exp?: number };
  tags?: Record<string, string>;
}
interface PatchBody {
  attributes?: { enabled?: boolean; nbf?: number; exp?: number };
  tags?: Record<string, string>;
}

const tagsSchema = { type: 'object', maxProperties: 15, additionalProperties: { type: 'string', maxLength: 256 } };
const attributesSchema = { type: 'object', properties: { enabled: { type: 'boolean' }, nbf: { type: 'integer' }, exp: { type: 'integer' } } };
const createBody = {
  type: 'object',
  required: ['kty'],
  properties: {
    kty: { type: 'string', enum: ['RSA', 'EC'] },
    key_size: { type: 'integer' },
    crv: { type: 'string' },
    key_ops: { type: 'array', items: { type: 'string' } },
    attributes: attributesSchema,
    tags: tagsSchema,
  },
};
const patchBody = { type: 'object', properties: { attributes: attributesSchema, key_ops: { type: 'array' }, tags: tagsSchema } };

export function keyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const keys = ctx.state.keys;

  const getKey = async (request: FastifyRequest<{ Params: Params }>) => {
    const { name, record } = keys.get(request.params.name, request.params.version);
    return keyBundle(ctx.base(), name, record);
  };
  app.get('/keys/:name', { config: { operation: 'getKey' } }, getKey);
  app.get('/keys/:name/:version', { config: { operation: 'getKey' } }, getKey);

  app.get<{ Params: Params; Querystring: Query }>('/keys/:name/versions', { config: { operation: 'listKeyVersions' } }, async (request) => {
    const entry = keys.versions(request.params.name);
    return versionsPage(ctx.base(), `/keys/${entry.name}/versions`, request.query, entry.versions, (r) => keyItem(ctx.base(), entry.name, r, true));
  });

  app.get<{ Querystring: Query }>('/keys', { config: { operation: 'listKeys' } }, async (request) => {
    const withLatest = keys.list().flatMap((e) => {
      const latest = latestOf(e);
      return latest ? [{ name: e.name, latest }] : [];
    });
    return listPage(ctx.base(), '/keys', request.query, withLatest, (e) => e.name.toLowerCase(), (e) => keyItem(ctx.base(), e.name, e.latest, false));
  });

  app.post<{ Params: Params; Body: CreateBody }>('/keys/:name/create', { config: { operation: 'createKey' }, schema: { body: createBody } }, async (request) => {
    const { kty, key_size: size, crv: curve, attributes, tags } = request.body;
    const { name, record } = keys.create(request.params.name, { kty, ...(size !== undefined ? { size } : {}), ...(curve !== undefined ? { curve } : {}), ...attributes, ...(tags !== undefined ? { tags } : {}) });
    return keyBundle(ctx.base(), name, record);
  });

  const updateKey = async (request: FastifyRequest<{ Params: Params; Body: PatchBody }>) => {
    const { attributes, tags } = request.body ?? {};
    const { name, record } = keys.update(request.params.name, request.params.version, { ...attributes, tags });
    return keyBundle(ctx.base(), name, record);
  };
  app.patch('/keys/:name', { config: { operation: 'updateKey' }, schema: { body: patchBody } }, updateKey);
  app.patch('/keys/:name/:version', { config: { operation: 'updateKey' }, schema: { body: patchBody } }, updateKey);
}

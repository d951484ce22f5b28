/** The secrets REST surface of one vault: set, get (latest or by version), versions, list, update, delete, recover, purge. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { deletedSecretBundle, secretBundle, secretItem } from './bundles.js';
import { isCertificateContentType, materialFromSecretValue, secretValue } from './certificate-material.js';
import { latestOf, listPage, versionsPage } from './paging.js';
import type { SecretRecord } from './object-records.js';
import type { VaultState } from './vault-state.js';

export interface RouteContext {
  /** The listener's base URL, e.g. https://127.0.0.1:40123. */
  base(): string;
  readonly state: VaultState;
}

type Params = { name: string; version?: string };
type Query = Record<string, string | undefined>;
interface Body {
  value?: string;
  contentType?: string;
  tags?: Record<string, string>;
  attributes?: { enabled?: boolean; nbf?: number; exp?: number };
}

const attributesSchema = {
  type: 'object',
  properties: { enabled: { type: 'boolean' }, nbf: { type: 'integer' }, exp: { type: 'integer' } },
};
const tagsSchema = { type: 'object', maxProperties: 15, additionalProperties: { type: 'string', maxLength: 256 } };
const setBody = {
  type: 'object',
  required: ['value'],
  properties: { value: { type: 'string' }, contentType: { type: 'string' }, tags: tagsSchema, attributes: attributesSchema },
};
const patchBody = { type: 'object', properties: { contentType: { type: 'string' }, tags: tagsSchema, attributes: attributesSchema } };

export function secretRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const secrets = ctx.state.secrets;

  app.put<{ Params: Params; Body: Body }>('/secrets/:name', { config: { operation: 'setSecret' }, schema: { body: setBody } }, async (request) => {
    const { value = '', contentType, tags, attributes } = request.body;
    const { name, record } = secrets.set(request.params.name, { value, contentType, tags, ...attributes });
    return secretBundle(ctx.base(), name, record, { withValue: true });
  });

  const getSecret = async (request: FastifyRequest<{ Params: Params; Querystring: Query }>) => {
    const { name, record } = secrets.get(request.params.name, request.params.version);
    return readBundle(ctx.base(), name, record, request.query.outContentType);
  };
  app.get('/secrets/:name', { config: { operation: 'getSecret' } }, getSecret);
  app.get('/secrets/:name/:version', { config: { operation: 'getSecret' } }, getSecret);

  app.get<{ Params: Params; Querystring: Query }>('/secrets/:name/versions', { config: { operation: 'listVersions' } }, async (request) => {
    const entry = secrets.versions(request.params.name);
    return versionsPage(ctx.base(), `/secrets/${entry.name}/versions`, request.query, entry.versions, (record) => secretItem(ctx.base(), entry.name, record, true));
  });

  app.get<{ Querystring: Query }>('/secrets', { config: { operation: 'listSecrets' } }, async (request) => {
    const withLatest = secrets.list().flatMap((e) => {
      const latest = latestOf(e);
      return latest ? [{ name: e.name, latest }] : [];
    });
    return listPage(ctx.base(), '/secrets', request.query, withLatest, (e) => e.name.toLowerCase(), (e) => secretItem(ctx.base(), e.name, e.latest, false));
  });

  const updateSecret = async (request: FastifyRequest<{ Params: Params; Body: Body }>) => {
    const { contentType, tags, attributes } = request.body ?? {};
    const { name, record } = secrets.update(request.params.name, request.params.version, { contentType, tags, ...attributes });
    return secretBundle(ctx.base(), name, record, { withValue: false });
  };
  app.patch('/secrets/:name', { config: { operation: 'updateSecret' }, schema: { body: patchBody } }, updateSecret);
  app.patch('/secrets/:name/:version', { config: { operation: 'updateSecret' }, schema: { body: patchBody } }, updateSecret);

  app.delete<{ Params: Params }>('/secrets/:name', { config: { operation: 'deleteSecret' } }, async (request) =>
    deletedSecretBundle(ctx.base(), secrets.delete(request.params.name)),
  );

  app.get<{ Querystring: Query }>('/deletedsecrets', { config: { operation: 'listDeletedSecrets' } }, async (request) =>
    listPage(ctx.base(), '/deletedsecrets', request.query, secrets.listDeleted(), (d) => d.entry.name.toLowerCase(), (d) => deletedSecretBundle(ctx.base(), d)),
  );
  app.get<{ Params: Params }>('/deletedsecrets/:name', { config: { operation: 'getDeletedSecret' } }, async (request) =>
    deletedSecretBundle(ctx.base(), secrets.getDeleted(request.params.name)),
  );
  app.delete<{ Params: Params }>('/deletedsecrets/:name', { config: { operation: 'purgeDeletedSecret' } }, async (request, reply) => {
    secrets.purge(request.params.name);
    return reply.code(204).send();
  });
  app.post<{ Params: Params }>('/deletedsecrets/:name/recover', { config: { operation: 'recoverDeletedSecret' } }, async (request) => {
    const { name, record } = secrets.recover(request.params.name);
    return secretBundle(ctx.base(), name, record, { withValue: false });
  });
}

/** A certificate's backing secret can be asked for in the other format with `outContentType`, as in Key Vault. */
function readBundle(base: string, name: string, record: SecretRecord, outContentType: string | undefined): Record<string, unknown> {
  if (!record.managed || !outContentType || outContentType === record.contentType || !isCertificateContentType(outContentType)) {
    return secretBundle(base, name, record, { withValue: true });
  }
  const converted = secretValue(materialFromSecretValue(record.value, record.contentType), outContentType);
  return secretBundle(base, name, record, { withValue: true, value: converted, contentType: outContentType });
}

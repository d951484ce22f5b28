/**
 * The certificates REST surface of one vault: get (latest or by version), versions, list, policy, import, update.
 * The private key is served only through the backing secret (secret-routes.ts), as in Key Vault.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { certificateBundle, certificateItem, certificatePolicyJson } from './bundles.js';
import { PEM_CONTENT_TYPE, isCertificateContentType } from './certificate-material.js';
import { badParameter } from './kv-error.js';
import { latestOf, listPage, versionsPage } from './paging.js';
import type { RouteContext } from './secret-routes.js';

type Params = { name: string; version?: string };
type Query = Record<string, string | undefined>;
interface ImportBody {
  value: string;
  pwd?: string;
  policy?: { key_props?: { exportable?: boolean }; secret_props?: { contentType?: string } };
  attributes?: { enabled?: boolean };
  tags?: Record<string, string>;
}
interface PatchBody {
  attributes?: { enabled?: boolean };
  tags?: Record<string, string>;
}

const tagsSchema = { type: 'object', maxProperties: 15, additionalProperties: { type: 'string', maxLength: 256 } };
const enabledSchema = { type: 'object', properties: { enabled: { type: 'boolean' } } };
const importBody = {
  type: 'object',
  required: ['value'],
  properties: {
    value: { type: 'string', minLength: 1 },
    pwd: { type: 'string' },
    policy: {
      type: 'object',
      properties: {
        key_props: { type: 'object', properties: { exportable: { type: 'boolean' } } },
        secret_props: { type: 'object', properties: { contentType: { type: 'string' } } },
      },
    },
    attributes: enabledSchema,
    tags: tagsSchema,
  },
};
const patchBody = { type: 'object', properties: { attributes: enabledSchema, tags: tagsSchema } };

export function certificateRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const certificates = ctx.state.certificates;

  const getCertificate = async (request: FastifyRequest<{ Params: Params }>) => {
    const { name, record } = certificates.get(request.params.name, request.params.version);
    return certificateBundle(ctx.base(), name, record);
  };
  app.get('/certificates/:name', { config: { operation: 'getCertificate' } }, getCertificate);
  app.get('/certificates/:name/:version', { config: { operation: 'getCertificate' } }, getCertificate);

  app.get<{ Params: Params }>('/certificates/:name/policy', { config: { operation: 'getCertificatePolicy' } }, async (request) => {
    const { name, record } = certificates.get(request.params.name);
    return certificatePolicyJson(ctx.base(), name, record);
  });

  app.get<{ Params: Params; Querystring: Query }>('/certificates/:name/versions', { config: { operation: 'listCertificateVersions' } }, async (request) => {
    const entry = certificates.versions(request.params.name);
    return versionsPage(ctx.base(), `/certificates/${entry.name}/versions`, request.query, entry.versions, (r) => certificateItem(ctx.base(), entry.name, r, true));
  });

  app.get<{ Querystring: Query }>('/certificates', { config: { operation: 'listCertificates' } }, async (request) => {
    const withLatest = certificates.list().flatMap((e) => {
      const latest = latestOf(e);
      return latest ? [{ name: e.name, latest }] : [];
    });
    return listPage(ctx.base(), '/certificates', request.query, withLatest, (e) => e.name.toLowerCase(), (e) => certificateItem(ctx.base(), e.name, e.latest, false));
  });

  app.post<{ Params: Params; Body: ImportBody }>('/certificates/:name/import', { config: { operation: 'importCertificate' }, schema: { body: importBody } }, async (request) => {
    const { value, pwd, policy, attributes, tags } = request.body;
    const contentType = policy?.secret_props?.contentType;
    if (contentType !== undefined && !isCertificateContentType(contentType)) throw badParameter('Unsupported secret content type.');
    const pem = contentType === PEM_CONTENT_TYPE || (contentType === undefined && value.includes('-----BEGIN '));
    const { name, record } = certificates.import(request.params.name, {
      ...(pem ? { pem: value } : { pfxBase64: value, password: pwd ?? '' }),
      ...(contentType !== undefined ? { contentType } : {}),
      ...(policy?.key_props?.exportable !== undefined ? { exportable: policy.key_props.exportable } : {}),
      ...(attributes?.enabled !== undefined ? { enabled: attributes.enabled } : {}),
      ...(tags !== undefined ? { tags } : {}),
    });
    return certificateBundle(ctx.base(), name, record);
  });

  const updateCertificate = async (request: FastifyRequest<{ Params: Params; Body: PatchBody }>) => {
    const { attributes, tags } = request.body ?? {};
    const { name, record } = certificates.update(request.params.name, request.params.version, { enabled: attributes?.enabled, tags });
    return certificateBundle(ctx.base(), name, record);
  };
  app.patch('/certificates/:name', { config: { operation: 'updateCertificate' }, schema: { body: patchBody } }, updateCertificate);
  app.patch('/certificates/:name/:version', { config: { operation: 'updateCertificate' }, schema: { body: patchBody } }, updateCertificate);
}

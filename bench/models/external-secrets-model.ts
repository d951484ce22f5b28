import { staggeredReads, type PollingModel } from './polling-model.js';

/** External Secrets Operator with the Azure Key Vault provider, one ExternalSecret per Key Vault secret. */
export const externalSecretsModel: PollingModel = {
  name: 'external-secrets',
  periodSeconds: 3600,
  concurrency: 1,
  howBuilt:
    'External Secrets Operator: an ExternalSecret is reconciled again refreshInterval after its last sync ' +
    '(default 1h: RequeueInterval time.Hour in cmd/controller/root.go, RequeueAfter in ' +
    'pkg/controllers/externalsecret/externalsecret_controller.go). Each reconcile of an ' +
    'ExternalSecret with one data entry calls the provider once; the Azure provider\'s GetSecret reads the ' +
    'secret (latest version) with one Key Vault GET (providers/v1/azure/keyvault/keyvault.go). ' +
    '--concurrent defaults to 1. Modelled as: one GET /secrets/{name}/ per ExternalSecret per hour, phases spread evenly ' +
    'over the hour (steady state: objects were created at different times).',
  reads: (objectNames, windowSeconds) => staggeredReads(objectNames, 3600, windowSeconds),
};

import { lockstepReads, type PollingModel } from './polling-model.js';

/**
 * akv2k8s controller 1.x (SparebankenVest/azure-key-vault-to-kubernetes), for AzureKeyVaultSecrets whose
 * value does not change.
 */
export const akv2k8sModel: PollingModel = {
  name: 'akv2k8s',
  periodSeconds: 30,
  concurrency: 1,
  howBuilt:
    'akv2k8s controller: its AzureKeyVaultSecret informer is created with --azure-resync-period (default 30 s, ' +
    'cmd/azure-keyvault-controller/main.go). Every resync calls UpdateFunc with an unchanged resourceVersion, which ' +
    'enqueues the object on the azureKeyVaultQueue; syncAzureKeyVault then reads the secret value from Key Vault ' +
    '(one GetSecret for object type "secret", latest version) and compares its MD5 with status.secretHash ' +
    '(controller/azureKeyVaultSecret.go). Options.NumThreads = 1. Modelled as: every 30 s, one GET ' +
    '/secrets/{name}/ per object, all objects at each resync, one worker.',
  reads: (objectNames, windowSeconds) => lockstepReads(objectNames, 30, windowSeconds),
};

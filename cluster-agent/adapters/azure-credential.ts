import { ClientSecretCredential, DefaultAzureCredential, WorkloadIdentityCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';
import type { AgentConfig } from '../config.js';

/**
 * The agent's Azure identity: workload identity (federated ServiceAccount token) when AZURE_FEDERATED_TOKEN_FILE is
 * set, a client secret for development, otherwise DefaultAzureCredential's chain.
 */
export function createAzureCredential(azure: AgentConfig['azure']): TokenCredential {
  const common = {
    ...(azure.authorityHost ? { authorityHost: azure.authorityHost } : {}),
    disableInstanceDiscovery: azure.disableInstanceDiscovery,
  };
  if (azure.federatedTokenFile && azure.tenantId && azure.clientId) {
    return new WorkloadIdentityCredential({ ...common, tenantId: azure.tenantId, clientId: azure.clientId, tokenFilePath: azure.federatedTokenFile });
  }
  if (azure.clientSecret && azure.tenantId && azure.clientId) {
    return new ClientSecretCredential(azure.tenantId, azure.clientId, azure.clientSecret, common);
  }
  return new DefaultAzureCredential({ ...common, ...(azure.tenantId ? { tenantId: azure.tenantId } : {}) });
}

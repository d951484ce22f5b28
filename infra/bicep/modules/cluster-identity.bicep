// One cluster's workload identity: a user-assigned identity federated with the cluster's OIDC issuer for the
// agent's ServiceAccount, allowed to read secrets (and certificates, when the cluster syncs them) of the
// vault, and, in queue mode, to receive and delete messages on its own queue only.
param location string
param clusterName string
param oidcIssuerUrl string
param namespace string
param serviceAccountName string
param certificates bool
param queueMode bool
param keyVaultName string
param storageAccountName string

var roles = {
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultCertificateUser: 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba'
  storageQueueDataMessageProcessor: '8a0f0c08-91a1-4084-bc3d-661d67233fed'
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource clusterQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = {
  name: '${storageAccountName}/default/akvsync-${clusterName}'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'akvsync-${clusterName}'
  location: location
}

resource federatedCredential 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: identity
  name: 'akvsync-agent'
  properties: {
    issuer: oidcIssuerUrl
    subject: 'system:serviceaccount:${namespace}:${serviceAccountName}'
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
}

resource secretsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    description: 'akvsync: cluster identity -> key vault: Key Vault Secrets User (sync secrets)'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource certificatesReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (certificates) {
  name: guid(keyVault.id, identity.id, roles.keyVaultCertificateUser)
  scope: keyVault
  properties: {
    description: 'akvsync: cluster identity -> key vault: Key Vault Certificate User (sync certificates)'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultCertificateUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource queueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (queueMode) {
  name: guid(clusterQueue.id, identity.id, roles.storageQueueDataMessageProcessor)
  scope: clusterQueue
  properties: {
    description: 'akvsync: cluster identity -> cluster queue: Storage Queue Data Message Processor (queue mode)'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataMessageProcessor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId

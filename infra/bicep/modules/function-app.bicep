// The Function app on the Flex Consumption plan (Linux, Node 22) with a system-assigned identity. Its storage
// connections are identity-based (no keys), and the identity gets only: blob/queue/table data roles on its
// own storage account, and Key Vault Secrets User on the signing-keys vault (for the AKVSYNC_KEY_* references).
param location string
param functionAppName string
param planName string
param storageAccountName string
param deploymentContainerName string
param appInsightsConnectionString string
param signingKeysVaultName string
param clusterNames array
param clusterRoutes string
param maximumInstanceCount int
param instanceMemoryMB int

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource signingKeysVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: signingKeysVaultName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// One Key Vault reference per cluster; the platform resolves it with the app's identity.
var signingKeySettings = [for name in clusterNames: {
  name: 'AKVSYNC_KEY_${toUpper(replace(name, '-', '_'))}'
  value: '@Microsoft.KeyVault(VaultName=${signingKeysVaultName};SecretName=akvsync-signing-${name})'
}]

var baseSettings = [
  {
    name: 'AzureWebJobsStorage__accountName'
    value: storageAccountName
  }
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: appInsightsConnectionString
  }
  {
    name: 'AKVSYNC_CLUSTERS'
    value: clusterRoutes
  }
]

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageAccount.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat(baseSettings, signingKeySettings)
    }
  }
}

resource functionBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, functionApp.id, roles.storageBlobDataOwner)
  scope: storageAccount
  properties: {
    description: 'akvsync: function app -> storage account: Storage Blob Data Owner (host storage, deployment package)'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource functionQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, functionApp.id, roles.storageQueueDataContributor)
  scope: storageAccount
  properties: {
    description: 'akvsync: function app -> storage account: Storage Queue Data Contributor (cluster, retry and poison queues)'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource functionTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, functionApp.id, roles.storageTableDataContributor)
  scope: storageAccount
  properties: {
    description: 'akvsync: function app -> storage account: Storage Table Data Contributor (dedupe marks, cluster registry)'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource functionSigningKeysReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(signingKeysVault.id, functionApp.id, roles.keyVaultSecretsUser)
  scope: signingKeysVault
  properties: {
    description: 'akvsync: function app -> signing keys vault: Key Vault Secrets User (AKVSYNC_KEY_* references)'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output functionAppName string = functionApp.name
output principalId string = functionApp.identity.principalId

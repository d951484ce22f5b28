// akvsync on Azure: the Function app that routes Key Vault events to clusters, what it needs, and one
// workload identity per cluster. Deploy into a resource group (see ../README.md and docs/deploy.md):
//   az deployment group create -g <rg> -f infra/bicep/main.bicep -p infra/bicep/main.bicepparam
// infra/terraform/ declares the same topology; test/unit/infra/one-topology.test.ts keeps them equal.
targetScope = 'resourceGroup'

@description('Azure region of every resource. Default: the resource group\'s.')
param location string = resourceGroup().location

@description('Short lowercase prefix of every resource name (3-11 letters or digits).')
@minLength(3)
@maxLength(11)
param namePrefix string

@description('The Key Vault whose secrets, certificates and keys akvsync delivers.')
param keyVaultName string

@description('true: create that Key Vault here (RBAC authorization, purge protection). false: it already exists in this resource group.')
param createKeyVault bool = false

@description('Deliver only events whose subject (the object name) starts with this. Empty: no filter.')
param subjectBeginsWith string = ''

@description('Deliver only events whose subject ends with this. Empty: no filter.')
param subjectEndsWith string = ''

@description('Event Grid delivery attempts before an event is dead-lettered (1-30).')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 30

@description('Minutes Event Grid keeps retrying an event before it is dead-lettered (1-1440).')
@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

@description('false on the first deployment: Event Grid can subscribe the Function only after its code is published (npm run package:functions, then deploy the zip).')
param createEventSubscription bool = true

@description('The AKVSYNC_CLUSTERS app setting (JSON array, docs/functions.md). Each cluster\'s signingKeySetting is AKVSYNC_KEY_<NAME> (upper case, - as _), which this template points at its signing key.')
param clusterRoutes string = ''

@description('Clusters whose agent reads the vault: name, AKS OIDC issuer URL, the agent\'s namespace and ServiceAccount, whether it syncs certificates, whether it drains a queue (no inbound access).')
param clusters array = []

@description('Most instances the Function app scales out to.')
param maximumInstanceCount int = 40

@description('Memory of each Function instance (MB): 2048 or 4096.')
@allowed([2048, 4096])
param instanceMemoryMB int = 2048

// The nine Key Vault event types: new versions sync, near-expiry and expiry become warnings on the cluster.
var keyVaultEventTypes = [
  'Microsoft.KeyVault.SecretNewVersionCreated'
  'Microsoft.KeyVault.SecretNearExpiry'
  'Microsoft.KeyVault.SecretExpired'
  'Microsoft.KeyVault.CertificateNewVersionCreated'
  'Microsoft.KeyVault.CertificateNearExpiry'
  'Microsoft.KeyVault.CertificateExpired'
  'Microsoft.KeyVault.KeyNewVersionCreated'
  'Microsoft.KeyVault.KeyNearExpiry'
  'Microsoft.KeyVault.KeyExpired'
]

var suffix = uniqueString(resourceGroup().id, namePrefix)
var functionAppName = '${namePrefix}-func-${suffix}'
var signingKeysVaultName = take('${namePrefix}keys${suffix}', 24)

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    namePrefix: namePrefix
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    accountName: take('${namePrefix}st${suffix}', 24)
    clusterQueueNames: map(filter(clusters, c => c.?queueMode ?? false), c => 'akvsync-${c.name}')
  }
}

module keyVaults 'modules/key-vaults.bicep' = {
  name: 'key-vaults'
  params: {
    location: location
    keyVaultName: keyVaultName
    createKeyVault: createKeyVault
    signingKeysVaultName: signingKeysVaultName
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    location: location
    functionAppName: functionAppName
    planName: '${namePrefix}-plan-${suffix}'
    storageAccountName: storage.outputs.accountName
    deploymentContainerName: storage.outputs.deploymentContainerName
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    signingKeysVaultName: keyVaults.outputs.signingKeysVaultName
    clusterNames: [for c in clusters: c.name]
    clusterRoutes: clusterRoutes
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

module eventGrid 'modules/event-grid.bicep' = {
  name: 'event-grid'
  params: {
    location: location
    systemTopicName: '${namePrefix}-kv-events'
    keyVaultName: keyVaults.outputs.keyVaultName
    functionAppName: functionApp.outputs.functionAppName
    createEventSubscription: createEventSubscription
    includedEventTypes: keyVaultEventTypes
    subjectBeginsWith: subjectBeginsWith
    subjectEndsWith: subjectEndsWith
    maxDeliveryAttempts: maxDeliveryAttempts
    eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    storageAccountName: storage.outputs.accountName
    deadLetterContainerName: storage.outputs.deadLetterContainerName
  }
}

module clusterIdentity 'modules/cluster-identity.bicep' = [for c in clusters: {
  name: 'cluster-identity-${c.name}'
  params: {
    location: location
    clusterName: c.name
    oidcIssuerUrl: c.oidcIssuerUrl
    namespace: c.?namespace ?? 'akvsync-system'
    serviceAccountName: c.?serviceAccountName ?? 'akvsync-agent'
    certificates: c.?certificates ?? false
    queueMode: c.?queueMode ?? false
    keyVaultName: keyVaults.outputs.keyVaultName
    storageAccountName: storage.outputs.accountName
  }
}]

output functionAppName string = functionApp.outputs.functionAppName
output functionAppPrincipalId string = functionApp.outputs.principalId
output storageAccountName string = storage.outputs.accountName
output deploymentContainerName string = storage.outputs.deploymentContainerName
output deadLetterContainerName string = storage.outputs.deadLetterContainerName
output keyVaultId string = keyVaults.outputs.keyVaultId
output signingKeysVaultName string = keyVaults.outputs.signingKeysVaultName
output systemTopicName string = eventGrid.outputs.systemTopicName
output clusterIdentityClientIds array = [for (c, i) in clusters: {
  name: c.name
  clientId: clusterIdentity[i].outputs.clientId
}]

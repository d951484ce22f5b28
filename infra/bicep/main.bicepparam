// Parameters for main.bicep. Every parameter not set here keeps the default documented in main.bicep
// and in infra/README.md.
using 'main.bicep'

// Short lowercase prefix of every resource name.
param namePrefix = 'akvsync'

// The vault akvsync delivers from; set createKeyVault = true to create it here.
param keyVaultName = 'kv-akvsync-prod'
param createKeyVault = false

// Optional subject filter: only objects whose names start (or end) with these.
param subjectBeginsWith = ''
param subjectEndsWith = ''

// Event Grid retry policy; after it, events go to the dead-letter container.
param maxDeliveryAttempts = 30
param eventTimeToLiveInMinutes = 1440

// First deployment: false, publish the Function zip, then deploy again with true.
param createEventSubscription = true

// AKVSYNC_CLUSTERS (docs/functions.md); `npm run onboard` prints each cluster's entry.
param clusterRoutes = ''

// One entry per AKS cluster: its OIDC issuer (az aks show --query oidcIssuerProfile.issuerUrl).
param clusters = [
  {
    name: 'prod-weu'
    oidcIssuerUrl: 'https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/'
    namespace: 'akvsync-system'
    serviceAccountName: 'akvsync-agent'
    certificates: true
    queueMode: false
  }
]

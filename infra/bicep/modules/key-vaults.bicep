// The Key Vault akvsync delivers from (created here or existing in this resource group), and the vault that
// holds each cluster's notification signing key (always created here, RBAC only, read by the Function app).
param location string
param keyVaultName string
param createKeyVault bool
param signingKeysVaultName string

resource newVault 'Microsoft.KeyVault/vaults@2023-07-01' = if (createKeyVault) {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource existingVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = if (!createKeyVault) {
  name: keyVaultName
}

resource signingKeysVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: signingKeysVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

output keyVaultName string = keyVaultName
output keyVaultId string = createKeyVault ? newVault.id : existingVault.id
output signingKeysVaultName string = signingKeysVault.name

# The Key Vault akvsync delivers from (created here or existing in this resource group), and the vault that
# holds each cluster's notification signing key (always created here, RBAC only, read by the Function app).
data "azurerm_client_config" "current" {}

resource "azurerm_key_vault" "new" {
  count                      = var.create_key_vault ? 1 : 0
  name                       = var.key_vault_name
  resource_group_name        = var.resource_group_name
  location                   = var.location
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = true
  soft_delete_retention_days = 90
  purge_protection_enabled   = true
}

data "azurerm_key_vault" "existing" {
  count               = var.create_key_vault ? 0 : 1
  name                = var.key_vault_name
  resource_group_name = var.resource_group_name
}

resource "azurerm_key_vault" "signing_keys" {
  name                       = var.signing_keys_vault_name
  resource_group_name        = var.resource_group_name
  location                   = var.location
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = true
  soft_delete_retention_days = 90
  purge_protection_enabled   = true
}

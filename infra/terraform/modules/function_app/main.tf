# The Function app on the Flex Consumption plan (Linux, Node 22) with a system-assigned identity. Its storage
# connections are identity-based (no keys), and the identity gets only: blob/queue/table data roles on its
# own storage account, and Key Vault Secrets User on the signing-keys vault (for the AKVSYNC_KEY_* references).
resource "azurerm_service_plan" "this" {
  name                = var.plan_name
  resource_group_name = var.resource_group_name
  location            = var.location
  os_type             = "Linux"
  sku_name            = "FC1"
}

locals {
  # One Key Vault reference per cluster; the platform resolves it with the app's identity.
  signing_key_settings = {
    for name in var.cluster_names :
    "AKVSYNC_KEY_${upper(replace(name, "-", "_"))}" => "@Microsoft.KeyVault(VaultName=${var.signing_keys_vault_name};SecretName=akvsync-signing-${name})"
  }
}

resource "azurerm_function_app_flex_consumption" "this" {
  name                = var.function_app_name
  resource_group_name = var.resource_group_name
  location            = var.location
  service_plan_id     = azurerm_service_plan.this.id
  https_only          = true

  storage_container_type      = "blobContainer"
  storage_container_endpoint  = var.deployment_container_endpoint
  storage_authentication_type = "SystemAssignedIdentity"
  runtime_name                = "node"
  runtime_version             = "22"
  maximum_instance_count      = var.maximum_instance_count
  instance_memory_in_mb       = var.instance_memory_mb

  identity {
    type = "SystemAssigned"
  }

  site_config {
    minimum_tls_version                    = "1.2"
    application_insights_connection_string = var.app_insights_connection_string
  }

  app_settings = merge({
    AzureWebJobsStorage__accountName = var.storage_account_name
    AKVSYNC_CLUSTERS                 = var.cluster_routes
  }, local.signing_key_settings)
}

resource "azurerm_role_assignment" "function_blob_owner" {
  scope                = var.storage_account_id
  role_definition_name = "Storage Blob Data Owner"
  principal_id         = azurerm_function_app_flex_consumption.this.identity[0].principal_id
  principal_type       = "ServicePrincipal"
  description          = "akvsync: function app -> storage account: Storage Blob Data Owner (host storage, deployment package)"
}

resource "azurerm_role_assignment" "function_queue_contributor" {
  scope                = var.storage_account_id
  role_definition_name = "Storage Queue Data Contributor"
  principal_id         = azurerm_function_app_flex_consumption.this.identity[0].principal_id
  principal_type       = "ServicePrincipal"
  description          = "akvsync: function app -> storage account: Storage Queue Data Contributor (cluster, retry and poison queues)"
}

resource "azurerm_role_assignment" "function_table_contributor" {
  scope                = var.storage_account_id
  role_definition_name = "Storage Table Data Contributor"
  principal_id         = azurerm_function_app_flex_consumption.this.identity[0].principal_id
  principal_type       = "ServicePrincipal"
  description          = "akvsync: function app -> storage account: Storage Table Data Contributor (dedupe marks, cluster registry)"
}

resource "azurerm_role_assignment" "function_signing_keys_reader" {
  scope                = var.signing_keys_vault_id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_function_app_flex_consumption.this.identity[0].principal_id
  principal_type       = "ServicePrincipal"
  description          = "akvsync: function app -> signing keys vault: Key Vault Secrets User (AKVSYNC_KEY_* references)"
}

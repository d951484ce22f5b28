# The Function app's storage: host storage and the deployment package container, the dead-letter container
# Event Grid writes undeliverable events to, the dedupe and cluster-registry tables, the retry and poison
# queues, and one queue per queue-mode cluster. Shared keys are off: every client uses Entra ID.
resource "azurerm_storage_account" "this" {
  name                            = var.account_name
  resource_group_name             = var.resource_group_name
  location                        = var.location
  account_kind                    = "StorageV2"
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
  shared_access_key_enabled       = false
  default_to_oauth_authentication = true
}

resource "azurerm_storage_container" "deployment" {
  name                  = "app-package"
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

resource "azurerm_storage_container" "dead_letter" {
  name                  = "deadletter"
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

resource "azurerm_storage_table" "dedupe" {
  name               = "akvsyncdedupe"
  storage_account_id = azurerm_storage_account.this.id
}

resource "azurerm_storage_table" "clusters" {
  name               = "akvsyncclusters"
  storage_account_id = azurerm_storage_account.this.id
}

resource "azurerm_storage_queue" "retry" {
  name               = "akvsync-retry"
  storage_account_id = azurerm_storage_account.this.id
}

resource "azurerm_storage_queue" "poison" {
  name               = "akvsync-poison"
  storage_account_id = azurerm_storage_account.this.id
}

resource "azurerm_storage_queue" "cluster" {
  for_each           = toset(var.cluster_queue_names)
  name               = each.value
  storage_account_id = azurerm_storage_account.this.id
}

# The Event Grid system topic on the Key Vault and its subscription to the Function's keyVaultEvents trigger:
# the nine Key Vault event types, an optional subject filter, a retry policy, and dead-lettering to a blob
# container with the topic's own identity (granted Storage Blob Data Contributor on that container only).
resource "azurerm_eventgrid_system_topic" "this" {
  name                = var.system_topic_name
  resource_group_name = var.resource_group_name
  location            = var.location
  source_resource_id  = var.key_vault_id
  topic_type          = "Microsoft.KeyVault.vaults"

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_role_assignment" "topic_dead_letter_writer" {
  scope                = var.dead_letter_container_id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_eventgrid_system_topic.this.identity[0].principal_id
  principal_type       = "ServicePrincipal"
  description          = "akvsync: event grid system topic -> dead-letter container: Storage Blob Data Contributor (dead-lettered events)"
}

resource "azurerm_eventgrid_system_topic_event_subscription" "function" {
  count                 = var.create_event_subscription ? 1 : 0
  name                  = "akvsync-function"
  system_topic          = azurerm_eventgrid_system_topic.this.name
  resource_group_name   = var.resource_group_name
  event_delivery_schema = "EventGridSchema"
  included_event_types  = var.included_event_types

  azure_function_endpoint {
    function_id                       = "${var.function_app_id}/functions/keyVaultEvents"
    max_events_per_batch              = 1
    preferred_batch_size_in_kilobytes = 64
  }

  subject_filter {
    subject_begins_with = var.subject_begins_with
    subject_ends_with   = var.subject_ends_with
    case_sensitive      = false
  }

  retry_policy {
    max_delivery_attempts = var.max_delivery_attempts
    event_time_to_live    = var.event_time_to_live_in_minutes
  }

  dead_letter_identity {
    type = "SystemAssigned"
  }

  storage_blob_dead_letter_destination {
    storage_account_id          = var.storage_account_id
    storage_blob_container_name = var.dead_letter_container_name
  }

  depends_on = [azurerm_role_assignment.topic_dead_letter_writer]
}

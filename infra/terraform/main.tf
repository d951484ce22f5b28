# akvsync on Azure: the Function app that routes Key Vault events to clusters, what it needs, and one
# workload identity per cluster. infra/bicep/ declares the same topology;
# test/unit/infra/one-topology.test.ts keeps them equal.

data "azurerm_resource_group" "this" {
  name = var.resource_group_name
}

resource "random_string" "suffix" {
  length  = 13
  upper   = false
  special = false
}

locals {
  location            = coalesce(var.location, data.azurerm_resource_group.this.location)
  suffix              = random_string.suffix.result
  function_app_name   = "${var.name_prefix}-func-${local.suffix}"
  signing_keys_vault  = substr("${var.name_prefix}keys${local.suffix}", 0, 24)
  clusters_by_name    = { for c in var.clusters : c.name => c }
  cluster_queue_names = [for c in var.clusters : "akvsync-${c.name}" if c.queue_mode]

  # The nine Key Vault event types: new versions sync, near-expiry and expiry become warnings on the cluster.
  key_vault_event_types = [
    "Microsoft.KeyVault.SecretNewVersionCreated",
    "Microsoft.KeyVault.SecretNearExpiry",
    "Microsoft.KeyVault.SecretExpired",
    "Microsoft.KeyVault.CertificateNewVersionCreated",
    "Microsoft.KeyVault.CertificateNearExpiry",
    "Microsoft.KeyVault.CertificateExpired",
    "Microsoft.KeyVault.KeyNewVersionCreated",
    "Microsoft.KeyVault.KeyNearExpiry",
    "Microsoft.KeyVault.KeyExpired",
  ]
}

module "monitoring" {
  source              = "./modules/monitoring"
  resource_group_name = var.resource_group_name
  location            = local.location
  name_prefix         = var.name_prefix
}

module "storage" {
  source              = "./modules/storage"
  resource_group_name = var.resource_group_name
  location            = local.location
  account_name        = substr("${var.name_prefix}st${local.suffix}", 0, 24)
  cluster_queue_names = local.cluster_queue_names
}

module "key_vaults" {
  source                  = "./modules/key_vaults"
  resource_group_name     = var.resource_group_name
  location                = local.location
  key_vault_name          = var.key_vault_name
  create_key_vault        = var.create_key_vault
  signing_keys_vault_name = local.signing_keys_vault
}

module "function_app" {
  source                         = "./modules/function_app"
  resource_group_name            = var.resource_group_name
  location                       = local.location
  function_app_name              = local.function_app_name
  plan_name                      = "${var.name_prefix}-plan-${local.suffix}"
  storage_account_id             = module.storage.account_id
  storage_account_name           = module.storage.account_name
  deployment_container_endpoint  = module.storage.deployment_container_endpoint
  app_insights_connection_string = module.monitoring.app_insights_connection_string
  signing_keys_vault_id          = module.key_vaults.signing_keys_vault_id
  signing_keys_vault_name        = module.key_vaults.signing_keys_vault_name
  cluster_names                  = [for c in var.clusters : c.name]
  cluster_routes                 = var.cluster_routes
  maximum_instance_count         = var.maximum_instance_count
  instance_memory_mb             = var.instance_memory_mb
}

module "event_grid" {
  source                        = "./modules/event_grid"
  resource_group_name           = var.resource_group_name
  location                      = local.location
  system_topic_name             = "${var.name_prefix}-kv-events"
  key_vault_id                  = module.key_vaults.key_vault_id
  function_app_id               = module.function_app.function_app_id
  create_event_subscription     = var.create_event_subscription
  included_event_types          = local.key_vault_event_types
  subject_begins_with           = var.subject_begins_with
  subject_ends_with             = var.subject_ends_with
  max_delivery_attempts         = var.max_delivery_attempts
  event_time_to_live_in_minutes = var.event_time_to_live_in_minutes
  storage_account_id            = module.storage.account_id
  dead_letter_container_name    = module.storage.dead_letter_container_name
  dead_letter_container_id      = module.storage.dead_letter_container_id
}

module "cluster_identity" {
  source               = "./modules/cluster_identity"
  for_each             = local.clusters_by_name
  resource_group_name  = var.resource_group_name
  location             = local.location
  cluster_name         = each.value.name
  oidc_issuer_url      = each.value.oidc_issuer_url
  namespace            = each.value.namespace
  service_account_name = each.value.service_account_name
  certificates         = each.value.certificates
  queue_mode           = each.value.queue_mode
  key_vault_id         = module.key_vaults.key_vault_id
  cluster_queue_id     = each.value.queue_mode ? module.storage.cluster_queue_ids["akvsync-${each.value.name}"] : null
}

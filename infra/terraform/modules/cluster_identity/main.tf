# One cluster's workload identity: a user-assigned identity federated with the cluster's OIDC issuer for the
# agent's ServiceAccount, allowed to read secrets (and certificates, when the cluster syncs them) of the
# vault, and, in queue mode, to receive and delete messages on its own queue only.
resource "azurerm_user_assigned_identity" "this" {
  name                = "akvsync-${var.cluster_name}"
  resource_group_name = var.resource_group_name
  location            = var.location
}

resource "azurerm_federated_identity_credential" "agent" {
  name                      = "akvsync-agent"
  user_assigned_identity_id = azurerm_user_assigned_identity.this.id
  issuer                    = var.oidc_issuer_url
  subject                   = "system:serviceaccount:${var.namespace}:${var.service_account_name}"
  audience                  = ["api://AzureADTokenExchange"]
}

resource "azurerm_role_assignment" "secrets_reader" {
  scope                = var.key_vault_id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.this.principal_id
  principal_type       = "ServicePrincipal"
  description          = "akvsync: cluster identity -> key vault: Key Vault Secrets User (sync secrets)"
}

resource "azurerm_role_assignment" "certificates_reader" {
  count                = var.certificates ? 1 : 0
  scope                = var.key_vault_id
  role_definition_name = "Key Vault Certificate User"
  principal_id         = azurerm_user_assigned_identity.this.principal_id
  principal_type       = "ServicePrincipal"
  description          = "akvsync: cluster identity -> key vault: Key Vault Certificate User (sync certificates)"
}

resource "azurerm_role_assignment" "queue_reader" {
  count                = var.queue_mode ? 1 : 0
  scope                = var.cluster_queue_id
  role_definition_name = "Storage Queue Data Message Processor"
  principal_id         = azurerm_user_assigned_identity.this.principal_id
  principal_type       = "ServicePrincipal"
  description          = "akvsync: cluster identity -> cluster queue: Storage Queue Data Message Processor (queue mode)"
}

output "function_app_name" {
  description = "Publish the zip of npm run package:functions to this app."
  value       = module.function_app.function_app_name
}

output "function_app_principal_id" {
  description = "The Function app's system-assigned identity."
  value       = module.function_app.principal_id
}

output "storage_account_name" {
  value = module.storage.account_name
}

output "deployment_container_name" {
  value = module.storage.deployment_container_name
}

output "dead_letter_container_name" {
  description = "Where Event Grid writes events it could not deliver."
  value       = module.storage.dead_letter_container_name
}

output "key_vault_id" {
  value = module.key_vaults.key_vault_id
}

output "signing_keys_vault_name" {
  description = "npm run onboard stores each cluster's signing key here."
  value       = module.key_vaults.signing_keys_vault_name
}

output "system_topic_name" {
  value = module.event_grid.system_topic_name
}

output "cluster_identity_client_ids" {
  description = "Per cluster: the client id for the agent ServiceAccount's azure.workload.identity/client-id annotation."
  value       = [for name, c in module.cluster_identity : { name = name, client_id = c.client_id }]
}

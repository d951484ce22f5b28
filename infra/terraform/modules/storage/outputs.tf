output "account_id" {
  value = azurerm_storage_account.this.id
}

output "account_name" {
  value = azurerm_storage_account.this.name
}

output "deployment_container_name" {
  value = azurerm_storage_container.deployment.name
}

output "deployment_container_endpoint" {
  value = "${azurerm_storage_account.this.primary_blob_endpoint}${azurerm_storage_container.deployment.name}"
}

output "dead_letter_container_name" {
  value = azurerm_storage_container.dead_letter.name
}

output "dead_letter_container_id" {
  value = azurerm_storage_container.dead_letter.id
}

output "cluster_queue_ids" {
  value = { for name, q in azurerm_storage_queue.cluster : name => q.id }
}

output "key_vault_id" {
  value = var.create_key_vault ? azurerm_key_vault.new[0].id : data.azurerm_key_vault.existing[0].id
}

output "signing_keys_vault_id" {
  value = azurerm_key_vault.signing_keys.id
}

output "signing_keys_vault_name" {
  value = azurerm_key_vault.signing_keys.name
}

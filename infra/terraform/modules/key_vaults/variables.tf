variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "key_vault_name" {
  type = string
}

variable "create_key_vault" {
  type = bool
}

variable "signing_keys_vault_name" {
  type = string
}

variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "function_app_name" {
  type = string
}

variable "plan_name" {
  type = string
}

variable "storage_account_id" {
  type = string
}

variable "storage_account_name" {
  type = string
}

variable "deployment_container_endpoint" {
  description = "Blob container URL the Flex Consumption app deploys its package from."
  type        = string
}

variable "app_insights_connection_string" {
  type      = string
  sensitive = true
}

variable "signing_keys_vault_id" {
  type = string
}

variable "signing_keys_vault_name" {
  type = string
}

variable "cluster_names" {
  type = list(string)
}

variable "cluster_routes" {
  type = string
}

variable "maximum_instance_count" {
  type = number
}

variable "instance_memory_mb" {
  type = number
}

variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "cluster_name" {
  type = string
}

variable "oidc_issuer_url" {
  description = "The AKS cluster's OIDC issuer (az aks show --query oidcIssuerProfile.issuerUrl)."
  type        = string
}

variable "namespace" {
  type = string
}

variable "service_account_name" {
  type = string
}

variable "certificates" {
  type = bool
}

variable "queue_mode" {
  type = bool
}

variable "key_vault_id" {
  type = string
}

variable "cluster_queue_id" {
  description = "The cluster's queue (queue mode only)."
  type        = string
  default     = null
}

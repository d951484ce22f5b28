variable "resource_group_name" {
  description = "Existing resource group that receives every resource (the Bicep template deploys into one too)."
  type        = string
}

variable "location" {
  description = "Azure region of every resource. Default: the resource group's."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Short lowercase prefix of every resource name (3-11 letters or digits)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{3,11}$", var.name_prefix))
    error_message = "name_prefix: 3-11 lowercase letters or digits."
  }
}

variable "key_vault_name" {
  description = "The Key Vault whose secrets, certificates and keys akvsync delivers."
  type        = string
}

variable "create_key_vault" {
  description = "true: create that Key Vault here (RBAC authorization, purge protection). false: it already exists in this resource group."
  type        = bool
  default     = false
}

variable "subject_begins_with" {
  description = "Deliver only events whose subject (the object name) starts with this. Empty: no filter."
  type        = string
  default     = ""
}

variable "subject_ends_with" {
  description = "Deliver only events whose subject ends with this. Empty: no filter."
  type        = string
  default     = ""
}

variable "max_delivery_attempts" {
  description = "Event Grid delivery attempts before an event is dead-lettered (1-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.max_delivery_attempts >= 1 && var.max_delivery_attempts <= 30
    error_message = "max_delivery_attempts: 1-30."
  }
}

variable "event_time_to_live_in_minutes" {
  description = "Minutes Event Grid keeps retrying an event before it is dead-lettered (1-1440)."
  type        = number
  default     = 1440

  validation {
    condition     = var.event_time_to_live_in_minutes >= 1 && var.event_time_to_live_in_minutes <= 1440
    error_message = "event_time_to_live_in_minutes: 1-1440."
  }
}

variable "create_event_subscription" {
  description = "false on the first apply: Event Grid can subscribe the Function only after its code is published (npm run package:functions, then deploy the zip)."
  type        = bool
  default     = true
}

variable "cluster_routes" {
  description = "The AKVSYNC_CLUSTERS app setting (JSON array, docs/functions.md). Each cluster's signingKeySetting is AKVSYNC_KEY_<NAME> (upper case, - as _), which this module points at its signing key."
  type        = string
  default     = ""
}

variable "clusters" {
  description = "Clusters whose agent reads the vault: name, AKS OIDC issuer URL, the agent's namespace and ServiceAccount, whether it syncs certificates, whether it drains a queue (no inbound access)."
  type = list(object({
    name                 = string
    oidc_issuer_url      = string
    namespace            = optional(string, "akvsync-system")
    service_account_name = optional(string, "akvsync-agent")
    certificates         = optional(bool, false)
    queue_mode           = optional(bool, false)
  }))
  default = []
}

variable "maximum_instance_count" {
  description = "Most instances the Function app scales out to."
  type        = number
  default     = 40
}

variable "instance_memory_mb" {
  description = "Memory of each Function instance (MB): 2048 or 4096."
  type        = number
  default     = 2048

  validation {
    condition     = contains([2048, 4096], var.instance_memory_mb)
    error_message = "instance_memory_mb: 2048 or 4096."
  }
}

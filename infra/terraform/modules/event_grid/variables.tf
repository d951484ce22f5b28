variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "system_topic_name" {
  type = string
}

variable "key_vault_id" {
  type = string
}

variable "function_app_id" {
  type = string
}

variable "create_event_subscription" {
  type = bool
}

variable "included_event_types" {
  type = list(string)
}

variable "subject_begins_with" {
  type = string
}

variable "subject_ends_with" {
  type = string
}

variable "max_delivery_attempts" {
  type = number
}

variable "event_time_to_live_in_minutes" {
  type = number
}

variable "storage_account_id" {
  type = string
}

variable "dead_letter_container_name" {
  type = string
}

variable "dead_letter_container_id" {
  type = string
}

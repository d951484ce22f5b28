variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "account_name" {
  type = string
}

variable "cluster_queue_names" {
  description = "One queue per queue-mode cluster (akvsync-<cluster>)."
  type        = list(string)
}

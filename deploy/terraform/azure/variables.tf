variable "subscription_id" {
  description = "Azure subscription to deploy into."
  type        = string
  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.subscription_id))
    error_message = "A subscription ID (a GUID)."
  }
}

variable "location" {
  description = "Azure region, e.g. westeurope."
  type        = string
  default     = "westeurope"
}

variable "environment" {
  description = "Environment name (staging, production): part of every resource name."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "2-10 lower-case letters and digits, starting with a letter (storage account names allow no hyphens)."
  }
}

variable "vnet_cidr" {
  description = "VNet address range."
  type        = string
  default     = "10.50.0.0/16"
  validation {
    condition     = can(cidrnetmask(var.vnet_cidr))
    error_message = "A CIDR block such as 10.50.0.0/16."
  }
}

variable "kubernetes_version" {
  description = "AKS Kubernetes version."
  type        = string
  default     = "1.31"
}

variable "node_vm_size" {
  description = "VM size of the AKS node pool."
  type        = string
  default     = "Standard_D4s_v5"
}

variable "node_count" {
  description = "Minimum and maximum nodes of the autoscaled node pool."
  type        = object({ min = number, max = number })
  default     = { min = 3, max = 6 }
  validation {
    condition     = var.node_count.min >= 2 && var.node_count.min <= var.node_count.max
    error_message = "At least 2 nodes, and min <= max."
  }
}

variable "database_sku" {
  description = "PostgreSQL Flexible Server SKU."
  type        = string
  default     = "GP_Standard_D2ds_v5"
}

variable "database_storage_mb" {
  description = "PostgreSQL storage in MB."
  type        = number
  default     = 131072
}

variable "database_backup_days" {
  description = "Days of backups and point-in-time recovery (RPO target: 1 hour)."
  type        = number
  default     = 14
  validation {
    condition     = var.database_backup_days >= 7 && var.database_backup_days <= 35
    error_message = "Between 7 and 35 days."
  }
}

variable "database_admin_group_object_id" {
  description = "Entra ID group that administers PostgreSQL (no password login)."
  type        = string
}

variable "redis_sku" {
  description = "Azure Cache for Redis tier: Standard (replicated) or Premium."
  type        = string
  default     = "Standard"
  validation {
    condition     = contains(["Standard", "Premium"], var.redis_sku)
    error_message = "Standard or Premium: Basic has no replica."
  }
}

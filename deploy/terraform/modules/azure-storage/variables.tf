variable "name" {
  description = "Globally unique storage account name."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.name))
    error_message = "A storage account name is 3-24 lower-case letters and digits."
  }
}

variable "resource_group_name" {
  description = "Resource group of the account."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "container_name" {
  description = "Blob container for QR Forge objects (STORAGE_PRIMARY=azure://<container>/...)."
  type        = string
  default     = "codes"
}

variable "replication_type" {
  description = "Redundancy: GRS (another region) or GZRS (zones and another region)."
  type        = string
  default     = "GRS"
  validation {
    condition     = contains(["GRS", "GZRS", "RAGRS", "RAGZRS"], var.replication_type)
    error_message = "Use a geo-redundant replication type (GRS, GZRS, RAGRS, RAGZRS)."
  }
}

variable "soft_delete_days" {
  description = "Days deleted blobs and old versions are kept."
  type        = number
  default     = 30
  validation {
    condition     = var.soft_delete_days >= 7 && var.soft_delete_days <= 365
    error_message = "Between 7 and 365 days."
  }
}

variable "backup_retention_days" {
  description = "Days database dumps under backups/ are kept."
  type        = number
  default     = 90
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = {}
}

variable "name" {
  description = "Globally unique bucket name."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.name))
    error_message = "A bucket name is 3-63 lower-case letters, digits, dots and hyphens."
  }
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted object version is kept (the recovery window)."
  type        = number
  default     = 30
  validation {
    condition     = var.noncurrent_version_days >= 7
    error_message = "Keep old versions at least 7 days."
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

variable "region" {
  description = "AWS region, e.g. eu-west-1."
  type        = string
  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-\\d$", var.region))
    error_message = "An AWS region name such as eu-west-1."
  }
}

variable "environment" {
  description = "Environment name (staging, production): part of every resource name."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "2-16 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "VPC address range; the Kubernetes overlay's QRFORGE_TRUST_PROXY uses it."
  type        = string
  default     = "10.40.0.0/16"
  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "A CIDR block such as 10.40.0.0/16."
  }
}

variable "availability_zones" {
  description = "How many availability zones the VPC, nodes, database and cache span."
  type        = number
  default     = 3
  validation {
    condition     = var.availability_zones >= 2 && var.availability_zones <= 6
    error_message = "Between 2 and 6 zones: one zone is not highly available."
  }
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
  default     = "1.31"
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
  type        = list(string)
  default     = ["m6i.large"]
}

variable "node_count" {
  description = "Desired, minimum and maximum nodes of the managed node group."
  type        = object({ desired = number, min = number, max = number })
  default     = { desired = 3, min = 2, max = 6 }
  validation {
    condition     = var.node_count.min <= var.node_count.desired && var.node_count.desired <= var.node_count.max && var.node_count.min >= 2
    error_message = "min <= desired <= max, and at least 2 nodes."
  }
}

variable "database_instance_class" {
  description = "RDS instance class of PostgreSQL."
  type        = string
  default     = "db.m6g.large"
}

variable "database_storage_gb" {
  description = "Initial PostgreSQL storage in GiB (grows automatically up to 5x)."
  type        = number
  default     = 100
  validation {
    condition     = var.database_storage_gb >= 20
    error_message = "At least 20 GiB."
  }
}

variable "database_backup_days" {
  description = "Days of automated backups and point-in-time recovery (RPO target: 1 hour)."
  type        = number
  default     = 14
  validation {
    condition     = var.database_backup_days >= 7 && var.database_backup_days <= 35
    error_message = "Between 7 and 35 days."
  }
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.m6g.large"
}

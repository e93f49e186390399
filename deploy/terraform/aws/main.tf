# QR Forge on AWS: a VPC over several zones, EKS with a managed node group, S3 for objects, RDS
# PostgreSQL (Multi-AZ), ElastiCache Redis, ECR, and the IAM role QR Forge's pods take through
# IRSA. The outputs fill in deploy/kubernetes/overlays/aws (docs/deployment.md).

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  name  = "qrforge-${var.environment}"
  azs   = slice(data.aws_availability_zones.available.names, 0, var.availability_zones)
  tags  = { application = "qrforge", environment = var.environment, managed-by = "terraform" }
  index = range(var.availability_zones)
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.16"

  name                   = local.name
  cidr                   = var.vpc_cidr
  azs                    = local.azs
  public_subnets         = [for i in local.index : cidrsubnet(var.vpc_cidr, 8, i)]
  private_subnets        = [for i in local.index : cidrsubnet(var.vpc_cidr, 4, i + 1)]
  database_subnets       = [for i in local.index : cidrsubnet(var.vpc_cidr, 8, 200 + i)]
  elasticache_subnets    = [for i in local.index : cidrsubnet(var.vpc_cidr, 8, 210 + i)]
  enable_nat_gateway     = true
  one_nat_gateway_per_az = true
  enable_dns_hostnames   = true

  # Where the AWS Load Balancer Controller puts the ALB.
  public_subnet_tags  = { "kubernetes.io/role/elb" = 1 }
  private_subnet_tags = { "kubernetes.io/role/internal-elb" = 1 }
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.31"

  cluster_name                             = local.name
  cluster_version                          = var.kubernetes_version
  vpc_id                                   = module.vpc.vpc_id
  subnet_ids                               = module.vpc.private_subnets
  cluster_endpoint_public_access           = true
  enable_cluster_creator_admin_permissions = true
  enable_irsa                              = true
  cluster_enabled_log_types                = ["api", "audit", "authenticator"]

  eks_managed_node_groups = {
    default = {
      instance_types = var.node_instance_types
      desired_size   = var.node_count.desired
      min_size       = var.node_count.min
      max_size       = var.node_count.max
      # IMDSv2 only, one hop: pods cannot borrow the node's role.
      metadata_options = {
        http_tokens                 = "required"
        http_put_response_hop_limit = 1
      }
    }
  }
}

module "objects" {
  source = "../modules/aws-storage"
  name   = "${local.name}-codes-${random_id.suffix.hex}"
  tags   = local.tags
}

resource "random_id" "suffix" {
  byte_length = 4
}

resource "aws_ecr_repository" "qrforge" {
  name                 = "qrforge"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
  encryption_configuration {
    encryption_type = "KMS"
  }
}

resource "aws_ecr_lifecycle_policy" "qrforge" {
  repository = aws_ecr_repository.qrforge.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the last 50 images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 50 }
      action       = { type = "expire" }
    }]
  })
}

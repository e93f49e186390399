# Values for deploy/kubernetes/overlays/aws and the Secret qrforge-secrets (docs/deployment.md).

output "cluster_name" {
  description = "EKS cluster: aws eks update-kubeconfig --name <cluster_name> --region <region>."
  value       = module.eks.cluster_name
}

output "ecr_repository_url" {
  description = "Image repository (overlay images.newName)."
  value       = aws_ecr_repository.qrforge.repository_url
}

output "irsa_role_arn" {
  description = "Role of the qrforge service account (overlay eks.amazonaws.com/role-arn)."
  value       = aws_iam_role.qrforge.arn
}

output "s3_bucket" {
  description = "Object bucket (overlay STORAGE_PRIMARY=s3://<bucket>/codes)."
  value       = module.objects.bucket
}

output "database_endpoint" {
  description = "PostgreSQL host:port for DATABASE_URL (add ?sslmode=require)."
  value       = aws_db_instance.qrforge.endpoint
}

output "database_password_secret_arn" {
  description = "Secrets Manager secret holding the database password RDS manages."
  value       = aws_db_instance.qrforge.master_user_secret[0].secret_arn
}

output "redis_endpoint" {
  description = "Redis primary endpoint for REDIS_URL (rediss://<endpoint>:6379)."
  value       = aws_elasticache_replication_group.qrforge.primary_endpoint_address
}

output "vpc_cidr" {
  description = "VPC range (overlay QRFORGE_TRUST_PROXY)."
  value       = module.vpc.vpc_cidr_block
}

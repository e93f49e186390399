output "bucket" {
  description = "Bucket name (STORAGE_PRIMARY=s3://<bucket>/codes)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "Bucket ARN, for IAM policies."
  value       = aws_s3_bucket.this.arn
}

output "kms_key_arn" {
  description = "KMS key ARN the bucket encrypts with, for IAM policies."
  value       = aws_kms_key.this.arn
}

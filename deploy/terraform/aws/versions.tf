terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Remote state in S3 with a DynamoDB lock, configured at init (docs/deployment.md):
  #   terraform init -backend-config=bucket=<state bucket> -backend-config=key=qrforge/aws.tfstate \
  #     -backend-config=region=<region> -backend-config=dynamodb_table=<lock table>
  backend "s3" {
    encrypt = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = local.tags
  }
}

terraform {
  required_version = ">= 1.6"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.14"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Remote state in a storage account (with blob lease locking), configured at init
  # (docs/deployment.md):
  #   terraform init -backend-config=resource_group_name=<rg> -backend-config=storage_account_name=<sa> \
  #     -backend-config=container_name=tfstate -backend-config=key=qrforge/azure.tfstate
  backend "azurerm" {
    use_azuread_auth = true
  }
}

provider "azurerm" {
  features {
    resource_group {
      prevent_deletion_if_contains_resources = true
    }
  }
  subscription_id = var.subscription_id
}

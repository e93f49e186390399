# QR Forge on Azure: a resource group, a VNet, AKS (workload identity, Application Gateway
# ingress, Container Insights), Blob storage (GRS), PostgreSQL Flexible Server (zone-redundant
# HA), Azure Cache for Redis, ACR, Log Analytics, and the managed identity QR Forge's pods use.
# The outputs fill in deploy/kubernetes/overlays/azure (docs/deployment.md).

locals {
  name = "qrforge-${var.environment}"
  # Storage and registry names: letters and digits only, globally unique.
  compact = "qrforge${var.environment}${random_id.suffix.hex}"
  tags    = { application = "qrforge", environment = var.environment, managed-by = "terraform" }
}

resource "random_id" "suffix" {
  byte_length = 3
}

resource "azurerm_resource_group" "qrforge" {
  name     = "rg-${local.name}"
  location = var.location
  tags     = local.tags
}

resource "azurerm_log_analytics_workspace" "qrforge" {
  name                = "log-${local.name}"
  resource_group_name = azurerm_resource_group.qrforge.name
  location            = azurerm_resource_group.qrforge.location
  sku                 = "PerGB2018"
  retention_in_days   = 30
  tags                = local.tags
}

resource "azurerm_virtual_network" "qrforge" {
  name                = "vnet-${local.name}"
  resource_group_name = azurerm_resource_group.qrforge.name
  location            = azurerm_resource_group.qrforge.location
  address_space       = [var.vnet_cidr]
  tags                = local.tags
}

resource "azurerm_subnet" "aks" {
  name                 = "snet-aks"
  resource_group_name  = azurerm_resource_group.qrforge.name
  virtual_network_name = azurerm_virtual_network.qrforge.name
  address_prefixes     = [cidrsubnet(var.vnet_cidr, 4, 0)]
}

resource "azurerm_subnet" "appgw" {
  name                 = "snet-appgw"
  resource_group_name  = azurerm_resource_group.qrforge.name
  virtual_network_name = azurerm_virtual_network.qrforge.name
  # 10.50.8.0/24 with the default range: the overlay's QRFORGE_TRUST_PROXY.
  address_prefixes = [cidrsubnet(var.vnet_cidr, 8, 8)]
}

resource "azurerm_subnet" "database" {
  name                 = "snet-postgres"
  resource_group_name  = azurerm_resource_group.qrforge.name
  virtual_network_name = azurerm_virtual_network.qrforge.name
  address_prefixes     = [cidrsubnet(var.vnet_cidr, 8, 9)]
  service_endpoints    = ["Microsoft.Storage"]
  delegation {
    name = "postgres"
    service_delegation {
      name    = "Microsoft.DBforPostgreSQL/flexibleServers"
      actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    }
  }
}

resource "azurerm_kubernetes_cluster" "qrforge" {
  name                      = "aks-${local.name}"
  resource_group_name       = azurerm_resource_group.qrforge.name
  location                  = azurerm_resource_group.qrforge.location
  dns_prefix                = local.name
  kubernetes_version        = var.kubernetes_version
  oidc_issuer_enabled       = true
  workload_identity_enabled = true
  local_account_disabled    = true
  azure_policy_enabled      = true
  automatic_upgrade_channel = "patch"
  sku_tier                  = "Standard"
  tags                      = local.tags

  default_node_pool {
    name                 = "system"
    vm_size              = var.node_vm_size
    vnet_subnet_id       = azurerm_subnet.aks.id
    auto_scaling_enabled = true
    min_count            = var.node_count.min
    max_count            = var.node_count.max
    zones                = ["1", "2", "3"]
    upgrade_settings {
      max_surge = "33%"
    }
  }

  identity {
    type = "SystemAssigned"
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled = true
  }

  network_profile {
    network_plugin = "azure"
    network_policy = "azure"
  }

  ingress_application_gateway {
    subnet_id = azurerm_subnet.appgw.id
  }

  oms_agent {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.qrforge.id
  }
}

resource "azurerm_container_registry" "qrforge" {
  name                          = replace(local.compact, "-", "")
  resource_group_name           = azurerm_resource_group.qrforge.name
  location                      = azurerm_resource_group.qrforge.location
  sku                           = "Standard"
  admin_enabled                 = false
  public_network_access_enabled = true
  tags                          = local.tags
}

resource "azurerm_role_assignment" "aks_pulls_images" {
  scope                = azurerm_container_registry.qrforge.id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_kubernetes_cluster.qrforge.kubelet_identity[0].object_id
}

module "objects" {
  source              = "../modules/azure-storage"
  name                = local.compact
  resource_group_name = azurerm_resource_group.qrforge.name
  location            = azurerm_resource_group.qrforge.location
  tags                = local.tags
}

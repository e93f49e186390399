# PostgreSQL Flexible Server (zone-redundant HA, geo-redundant backups, private in the VNet,
# Entra ID for administrators) and Azure Cache for Redis (TLS only).

resource "azurerm_private_dns_zone" "postgres" {
  name                = "${local.name}.postgres.database.azure.com"
  resource_group_name = azurerm_resource_group.qrforge.name
}

resource "azurerm_private_dns_zone_virtual_network_link" "postgres" {
  name                  = "postgres"
  resource_group_name   = azurerm_resource_group.qrforge.name
  private_dns_zone_name = azurerm_private_dns_zone.postgres.name
  virtual_network_id    = azurerm_virtual_network.qrforge.id
}

resource "random_password" "database" {
  length  = 40
  special = false
}

resource "azurerm_postgresql_flexible_server" "qrforge" {
  name                          = "psql-${local.name}"
  resource_group_name           = azurerm_resource_group.qrforge.name
  location                      = azurerm_resource_group.qrforge.location
  version                       = "16"
  sku_name                      = var.database_sku
  storage_mb                    = var.database_storage_mb
  auto_grow_enabled             = true
  backup_retention_days         = var.database_backup_days
  geo_redundant_backup_enabled  = true
  delegated_subnet_id           = azurerm_subnet.database.id
  private_dns_zone_id           = azurerm_private_dns_zone.postgres.id
  public_network_access_enabled = false
  zone                          = "1"
  tags                          = local.tags

  high_availability {
    mode                      = "ZoneRedundant"
    standby_availability_zone = "2"
  }

  # The app logs in with a password (DATABASE_URL); people administer with Entra ID.
  administrator_login    = "qrforge"
  administrator_password = random_password.database.result

  authentication {
    active_directory_auth_enabled = true
    password_auth_enabled         = true
    tenant_id                     = data.azurerm_client_config.current.tenant_id
  }

  lifecycle {
    prevent_destroy = true
  }

  depends_on = [azurerm_private_dns_zone_virtual_network_link.postgres]
}

resource "azurerm_postgresql_flexible_server_active_directory_administrator" "qrforge" {
  server_name         = azurerm_postgresql_flexible_server.qrforge.name
  resource_group_name = azurerm_resource_group.qrforge.name
  tenant_id           = data.azurerm_client_config.current.tenant_id
  object_id           = var.database_admin_group_object_id
  principal_name      = "qrforge-database-admins"
  principal_type      = "Group"
}

resource "azurerm_postgresql_flexible_server_database" "qrforge" {
  name      = "qrforge"
  server_id = azurerm_postgresql_flexible_server.qrforge.id
  charset   = "UTF8"
  collation = "en_US.utf8"
}

resource "azurerm_redis_cache" "qrforge" {
  name                          = "redis-${local.name}"
  resource_group_name           = azurerm_resource_group.qrforge.name
  location                      = azurerm_resource_group.qrforge.location
  sku_name                      = var.redis_sku
  family                        = var.redis_sku == "Premium" ? "P" : "C"
  capacity                      = 1
  non_ssl_port_enabled          = false
  minimum_tls_version           = "1.2"
  public_network_access_enabled = true
  tags                          = local.tags
}

data "azurerm_client_config" "current" {}

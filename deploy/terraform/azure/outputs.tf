# Values for deploy/kubernetes/overlays/azure and the Secret qrforge-secrets (docs/deployment.md).

output "cluster_name" {
  description = "AKS cluster: az aks get-credentials -g <resource_group> -n <cluster_name>."
  value       = azurerm_kubernetes_cluster.qrforge.name
}

output "resource_group" {
  description = "Resource group of everything here."
  value       = azurerm_resource_group.qrforge.name
}

output "acr_login_server" {
  description = "Image registry (overlay images.newName = <acr_login_server>/qrforge)."
  value       = azurerm_container_registry.qrforge.login_server
}

output "workload_identity_client_id" {
  description = "Client ID of the pods' identity (overlay azure.workload.identity/client-id)."
  value       = azurerm_user_assigned_identity.qrforge.client_id
}

output "storage_account_name" {
  description = "Storage account (overlay STORAGE_PRIMARY=azure://codes/codes?account=<name>)."
  value       = module.objects.account_name
}

output "database_host" {
  description = "PostgreSQL host for DATABASE_URL (sslmode=require)."
  value       = azurerm_postgresql_flexible_server.qrforge.fqdn
}

output "redis_host" {
  description = "Redis host for REDIS_URL (rediss://:<key>@<host>:6380)."
  value       = azurerm_redis_cache.qrforge.hostname
}

output "database_password" {
  description = "Password of the qrforge database login, for DATABASE_URL in the Secret qrforge-secrets."
  value       = random_password.database.result
  sensitive   = true
}

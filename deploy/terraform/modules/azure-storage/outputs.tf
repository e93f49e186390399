output "account_name" {
  description = "Storage account name (STORAGE_PRIMARY=azure://<container>/codes?account=<name>)."
  value       = azurerm_storage_account.this.name
}

output "account_id" {
  description = "Storage account ID, for role assignments."
  value       = azurerm_storage_account.this.id
}

output "container_name" {
  description = "The container QR Forge writes to."
  value       = azurerm_storage_container.this.name
}

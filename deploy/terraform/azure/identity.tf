# The identity QR Forge's pods use (workload identity: service account qrforge/qrforge federated
# with a user-assigned managed identity): Blob data access on its own account, nothing else.

resource "azurerm_user_assigned_identity" "qrforge" {
  name                = "id-${local.name}"
  resource_group_name = azurerm_resource_group.qrforge.name
  location            = azurerm_resource_group.qrforge.location
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "qrforge" {
  name                = "qrforge-service-account"
  resource_group_name = azurerm_resource_group.qrforge.name
  parent_id           = azurerm_user_assigned_identity.qrforge.id
  issuer              = azurerm_kubernetes_cluster.qrforge.oidc_issuer_url
  subject             = "system:serviceaccount:qrforge:qrforge"
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_role_assignment" "objects" {
  scope                = module.objects.account_id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.qrforge.principal_id
}

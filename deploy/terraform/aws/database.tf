# PostgreSQL 16 on RDS: Multi-AZ, encrypted, private, automated backups with point-in-time
# recovery, deletion protection. The password is managed by RDS in Secrets Manager.

resource "aws_db_subnet_group" "qrforge" {
  name       = local.name
  subnet_ids = module.vpc.database_subnets
}

resource "aws_security_group" "database" {
  name        = "${local.name}-database"
  description = "PostgreSQL from the EKS nodes only"
  vpc_id      = module.vpc.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "database_from_nodes" {
  security_group_id            = aws_security_group.database.id
  referenced_security_group_id = module.eks.node_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_db_parameter_group" "qrforge" {
  name   = local.name
  family = "postgres16"
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
}

resource "aws_db_instance" "qrforge" {
  identifier                          = local.name
  engine                              = "postgres"
  engine_version                      = "16.6"
  instance_class                      = var.database_instance_class
  allocated_storage                   = var.database_storage_gb
  max_allocated_storage               = var.database_storage_gb * 5
  storage_type                        = "gp3"
  storage_encrypted                   = true
  db_name                             = "qrforge"
  username                            = "qrforge"
  manage_master_user_password         = true
  multi_az                            = true
  publicly_accessible                 = false
  db_subnet_group_name                = aws_db_subnet_group.qrforge.name
  vpc_security_group_ids              = [aws_security_group.database.id]
  parameter_group_name                = aws_db_parameter_group.qrforge.name
  backup_retention_period             = var.database_backup_days
  backup_window                       = "01:00-02:00"
  maintenance_window                  = "sun:03:00-sun:04:00"
  deletion_protection                 = true
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${local.name}-final"
  copy_tags_to_snapshot               = true
  performance_insights_enabled        = true
  iam_database_authentication_enabled = true
  auto_minor_version_upgrade          = true
}

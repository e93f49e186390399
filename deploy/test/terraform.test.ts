/**
 * Terraform for AWS and Azure, checked without cloud providers (they cannot be downloaded here):
 * `terraform fmt -check`, and the HCL parsed (@cdktf/hcl2json) to hold the security properties —
 * private encrypted versioned storage, Multi-AZ / zone-redundant databases with backups and
 * deletion protection, encrypted caches, scoped identities, documented and validated variables.
 * `terraform validate` and tflint run in the GitHub workflows, where providers download.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY, installed, run } from './tools.js';

const TERRAFORM = join(DEPLOY, 'terraform');
type Block = Record<string, unknown>;
interface Hcl {
  resource?: Record<string, Record<string, Block[]>>;
  variable?: Record<string, Block[]>;
  output?: Record<string, Block[]>;
  module?: Record<string, Block[]>;
  terraform?: Block[];
}

/** Every .tf file of a folder, merged (one level: type → name → block). */
async function load(folder: string): Promise<Hcl> {
  const merged: Hcl = {};
  for (const file of readdirSync(join(TERRAFORM, folder)).filter((f) => f.endsWith('.tf'))) {
    const parsed = (await parse(file, readFileSync(join(TERRAFORM, folder, file), 'utf8'))) as Hcl;
    for (const [key, value] of Object.entries(parsed) as [keyof Hcl, Record<string, unknown>][]) {
      if (Array.isArray(value))
        (merged[key] as unknown[]) = [...((merged[key] as unknown[]) ?? []), ...value];
      else if (key === 'resource')
        for (const [type, named] of Object.entries(value))
          merged.resource = {
            ...merged.resource,
            [type]: { ...merged.resource?.[type], ...(named as Record<string, Block[]>) },
          };
      else (merged[key] as Record<string, unknown>) = { ...(merged[key] as object), ...value };
    }
  }
  return merged;
}
const one = (hcl: Hcl, type: string, name: string): Block => {
  const block = hcl.resource?.[type]?.[name]?.[0];
  if (!block) throw new Error(`no ${type}.${name}`);
  return block;
};
const nested = (block: Block, key: string): Block => (block[key] as Block[])[0];

const folders = ['aws', 'azure', 'modules/aws-storage', 'modules/azure-storage'];
const hcl: Record<string, Hcl> = {};
beforeAll(async () => {
  for (const folder of folders) hcl[folder] = await load(folder);
});

describe.skipIf(
  !installed('terraform', 'https://developer.hashicorp.com/terraform/install', false),
)('terraform fmt', () => {
  it('every file is formatted', () => {
    const result = run('terraform', ['fmt', '-check', '-recursive', TERRAFORM]);
    expect(result.status, result.output).toBe(0);
  });
});

describe('variables and outputs', () => {
  it.each(folders)('%s: every variable and output is described; limits are validated', (folder) => {
    const { variable = {}, output = {} } = hcl[folder];
    for (const [name, [block]] of Object.entries({ ...variable, ...output }))
      expect(typeof block.description, `${folder}: ${name}`).toBe('string');
    const validated = Object.values(variable).filter(([v]) => v.validation).length;
    expect(validated, folder).toBeGreaterThanOrEqual(1);
  });

  it('the roots keep remote state and pin provider versions', () => {
    expect(JSON.stringify(hcl.aws.terraform)).toContain('"backend":{"s3"');
    expect(JSON.stringify(hcl.azure.terraform)).toContain('"backend":{"azurerm"');
    for (const folder of folders)
      expect(JSON.stringify(hcl[folder].terraform), folder).toMatch(/"version":"~> \d+\.\d+"/);
  });

  it('the outputs fill in the Kubernetes overlays', () => {
    expect(Object.keys(hcl.aws.output!)).toEqual(
      expect.arrayContaining(['ecr_repository_url', 'irsa_role_arn', 's3_bucket', 'vpc_cidr']),
    );
    expect(Object.keys(hcl.azure.output!)).toEqual(
      expect.arrayContaining([
        'acr_login_server',
        'workload_identity_client_id',
        'storage_account_name',
      ]),
    );
  });
});

describe('AWS', () => {
  it('S3: private, versioned, KMS-encrypted, lifecycle rules, TLS only', () => {
    const s3 = hcl['modules/aws-storage'];
    expect(one(s3, 'aws_s3_bucket_public_access_block', 'this')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(nested(one(s3, 'aws_s3_bucket_versioning', 'this'), 'versioning_configuration')).toEqual(
      { status: 'Enabled' },
    );
    const sse = nested(
      nested(one(s3, 'aws_s3_bucket_server_side_encryption_configuration', 'this'), 'rule'),
      'apply_server_side_encryption_by_default',
    );
    expect(sse.sse_algorithm).toBe('aws:kms');
    expect(
      (one(s3, 'aws_s3_bucket_lifecycle_configuration', 'this').rule as Block[]).length,
    ).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(s3)).toContain('aws:SecureTransport');
    expect(one(s3, 'aws_kms_key', 'this').enable_key_rotation).toBe(true);
  });

  it('RDS PostgreSQL: Multi-AZ, encrypted, private, backed up, protected from deletion', () => {
    expect(one(hcl.aws, 'aws_db_instance', 'qrforge')).toMatchObject({
      multi_az: true,
      storage_encrypted: true,
      publicly_accessible: false,
      deletion_protection: true,
      skip_final_snapshot: false,
      backup_retention_period: '${var.database_backup_days}',
      manage_master_user_password: true,
    });
    expect(hcl.aws.variable!.database_backup_days[0].default).toBeGreaterThanOrEqual(7);
  });

  it('ElastiCache: replicated with failover, encrypted at rest and in transit', () => {
    expect(one(hcl.aws, 'aws_elasticache_replication_group', 'qrforge')).toMatchObject({
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      at_rest_encryption_enabled: true,
      transit_encryption_enabled: true,
    });
  });

  it('EKS over several zones with IRSA; ECR immutable and scanned; the pod role bound to one service account', () => {
    const eks = hcl.aws.module!.eks[0];
    expect(eks).toMatchObject({ enable_irsa: true });
    expect(hcl.aws.variable!.availability_zones[0].default).toBeGreaterThanOrEqual(2);
    const ecr = one(hcl.aws, 'aws_ecr_repository', 'qrforge');
    expect(ecr.image_tag_mutability).toBe('IMMUTABLE');
    expect(nested(ecr, 'image_scanning_configuration')).toEqual({ scan_on_push: true });
    expect(JSON.stringify(hcl.aws)).toContain('system:serviceaccount:qrforge:qrforge');
  });
});

describe('Azure', () => {
  it('Storage: geo-redundant, TLS 1.2, no public blobs, no shared keys, versions and soft delete', () => {
    const sa = one(hcl['modules/azure-storage'], 'azurerm_storage_account', 'this');
    expect(sa).toMatchObject({
      https_traffic_only_enabled: true,
      min_tls_version: 'TLS1_2',
      allow_nested_items_to_be_public: false,
      shared_access_key_enabled: false,
    });
    expect(hcl['modules/azure-storage'].variable!.replication_type[0].default).toBe('GRS');
    expect(nested(sa, 'blob_properties')).toMatchObject({ versioning_enabled: true });
  });

  it('PostgreSQL: zone-redundant HA, geo-redundant backups, private, kept from destruction', () => {
    const pg = one(hcl.azure, 'azurerm_postgresql_flexible_server', 'qrforge');
    expect(pg).toMatchObject({
      geo_redundant_backup_enabled: true,
      public_network_access_enabled: false,
    });
    expect(nested(pg, 'high_availability')).toMatchObject({ mode: 'ZoneRedundant' });
    expect(nested(pg, 'lifecycle')).toMatchObject({ prevent_destroy: true });
  });

  it('Redis TLS only; AKS with workload identity, OIDC issuer, network policy, no local accounts', () => {
    expect(one(hcl.azure, 'azurerm_redis_cache', 'qrforge')).toMatchObject({
      non_ssl_port_enabled: false,
      minimum_tls_version: '1.2',
    });
    const aks = one(hcl.azure, 'azurerm_kubernetes_cluster', 'qrforge');
    expect(aks).toMatchObject({
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
      local_account_disabled: true,
    });
    expect(nested(aks, 'network_profile')).toMatchObject({ network_policy: 'azure' });
    expect(one(hcl.azure, 'azurerm_federated_identity_credential', 'qrforge').subject).toBe(
      'system:serviceaccount:qrforge:qrforge',
    );
    expect(one(hcl.azure, 'azurerm_container_registry', 'qrforge').admin_enabled).toBe(false);
  });
});

/**
 * `dynamic: true` on a generate request: the URL asked for becomes the target of a new dynamic
 * code (links module), and the code encodes that dynamic code's short URL instead, so where it
 * points can change after printing.
 */
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { Flags } from '../../platform/flags/flags.js';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { Database } from '../../platform/db/database.js';
import { DynamicCodes, targetProblem } from '../links/codes.js';
import type { TenantAddresses } from '../links/addresses.js';
import { nameFor, shortBase, shortUrl } from '../links/short-urls.js';
import { resolveContent, type Content } from './content.js';
import type { CodeRequest } from './schemas.js';

export interface DynamicCodeRef {
  id: string;
  slug: string;
  url: string;
  target: string;
}

/** Refuses what cannot become a dynamic code; the reason names the field. */
export async function dynamicAllowed(
  config: Config,
  flags: Flags,
  request: FastifyRequest,
): Promise<void> {
  const principal = request.principal;
  if (!principal) throw new AppError('AUTH_ERR_UNAUTHENTICATED', 'Sign in to make dynamic codes');
  if (principal.role === 'viewer')
    throw new AppError('AUTH_ERR_FORBIDDEN', 'Making dynamic codes needs the operator role');
  if (!config.modules.includes('links'))
    throw new AppError(
      'LINK_ERR_INVALID',
      'Dynamic codes need the links module, which this server does not run (QRFORGE_MODULES)',
      { errors: [{ field: 'body.dynamic', message: 'the links module is off here' }] },
    );
  if (!(await flags.isOn('dynamic-codes', { tenantId: principal.tenantId })))
    throw new AppError('FEATURE_ERR_OFF', 'Making dynamic codes is switched off here', {
      flag: 'dynamic-codes',
    });
}

/** The URL a dynamic request points at: `data`, or the `url` of a url payload. */
export function dynamicTarget(body: Pick<CodeRequest, 'data' | 'payload'>): string {
  const field = body.payload ? 'body.payload' : 'body.data';
  const payload = body.payload as { type: string; url?: string } | undefined;
  const target = payload ? (payload.type === 'url' ? payload.url : undefined) : body.data;
  const problem =
    target === undefined
      ? `a dynamic code points at a URL: send a url payload, not ${payload?.type}`
      : targetProblem(target);
  if (problem)
    throw new AppError('LINK_ERR_INVALID', problem, { errors: [{ field, message: problem }] });
  resolveContent(body); // a static code's refusals too (data and payload together)
  return target!;
}

export async function makeDynamic(
  db: Database,
  addresses: TenantAddresses,
  config: Config,
  request: FastifyRequest,
  target: string,
): Promise<{ content: Content; ref: DynamicCodeRef }> {
  const tenantId = request.principal!.tenantId;
  const baseUrl = await shortBase(addresses, config, request, tenantId);
  const code = await new DynamicCodes(db, 0).create(
    tenantId,
    { name: nameFor(target), target, baseUrl },
    requestAuditContext(request),
  );
  const url = shortUrl(baseUrl, code.slug);
  return {
    content: { text: url, payloadType: 'dynamic', summary: `Dynamic → ${code.name}`.slice(0, 120) },
    ref: { id: code.id, slug: code.slug, url, target },
  };
}

/**
 * /api/v1/auth (login, refresh, logout, password, me), /api/v1/users, /api/v1/api-keys, and the
 * first-run setup (/api/v1/setup).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import type { Guard } from '../auth/guard.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { AccountService } from './service.js';
import * as S from './schemas.js';
import { requestAuditContext } from '../audit/audit.js';
import { PROBLEM_RESPONSES } from '../http/problem-schema.js';

export interface AccountRoutesOptions {
  accounts: AccountService;
  guard: Guard;
  throttle: LoginThrottle;
}

const problems = PROBLEM_RESPONSES;

export async function accountRoutes(
  app: FastifyInstance,
  { accounts, guard, throttle }: AccountRoutesOptions,
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/v1/setup',
    {
      schema: {
        tags: ['auth'],
        summary: 'Whether the first account is still to be created, and whether this caller may',
        response: { 200: S.SetupStatus, ...problems },
      },
    },
    async (request) => ({
      needed: await accounts.setupNeeded(),
      allowed: fromThisMachine(request),
    }),
  );

  api.post(
    '/api/v1/setup',
    {
      schema: {
        tags: ['auth'],
        summary: 'First run: create the admin and sign in (only while nobody can sign in)',
        description:
          'Only from the server machine itself (a loopback peer, no proxy headers): elsewhere set QRFORGE_ADMIN_EMAIL and QRFORGE_ADMIN_PASSWORD instead.',
        body: S.SetupBody,
        response: { 200: S.TokenPairReply, ...problems },
      },
    },
    async (request) => {
      if (!fromThisMachine(request))
        throw new AppError(
          'SETUP_ERR_NOT_LOCAL',
          'Create the first account from the server machine itself (http://localhost), or start the server with QRFORGE_ADMIN_EMAIL and QRFORGE_ADMIN_PASSWORD',
        );
      const { email, password, organisation } = request.body;
      return accounts.setUp(
        { email, password, organisation: organisation ?? 'Default' },
        requestAuditContext(request),
      );
    },
  );

  api.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with e-mail and password',
        body: S.LoginBody,
        response: { 200: S.TokenPairReply, ...problems },
      },
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      const keys = [`account:${email}`, `ip:${request.ip}`];
      const wait = throttle.retryAfter(keys);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new AppError(
          'HTTP_ERR_RATE_LIMITED',
          `Too many failed sign-ins; try again in ${wait} s`,
        );
      }
      const user = await accounts.checkCredentials(email, request.body.password);
      if (!user) {
        throttle.fail(keys);
        throw new AppError('AUTH_ERR_UNAUTHENTICATED', 'Wrong e-mail or password');
      }
      throttle.succeed(keys[0]);
      return accounts.startSession(user.id, requestAuditContext(request));
    },
  );

  api.post(
    '/api/v1/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new pair (the old one stops working)',
        body: S.RefreshBody,
        response: { 200: S.TokenPairReply, ...problems },
      },
    },
    async (request) => accounts.refresh(request.body.refreshToken, requestAuditContext(request)),
  );

  api.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the session of a refresh token',
        body: S.RefreshBody,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      await accounts.logout(request.body.refreshToken, requestAuditContext(request));
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/api/v1/auth/me',
    {
      preValidation: guard.user,
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user and their tenants',
        response: { 200: S.MeReply, ...problems },
      },
    },
    async (request) => {
      const user = (await accounts.activeUser(request.userId!))!;
      return { ...user, tenants: await accounts.membershipsOf(user.id) };
    },
  );

  api.post(
    '/api/v1/auth/password',
    {
      preValidation: guard.user,
      schema: {
        tags: ['auth'],
        summary: 'Change your password (ends every session)',
        body: S.PasswordBody,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      await accounts.changePassword(
        request.userId!,
        request.body.currentPassword,
        request.body.newPassword,
        requestAuditContext(request),
      );
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/api/v1/users',
    {
      preValidation: guard.role('admin'),
      schema: {
        tags: ['users'],
        summary: 'Add a user to the tenant with a role',
        body: S.AddUserBody,
        response: { 201: S.UserReply, ...problems },
      },
    },
    async (request, reply) => {
      const user = await accounts.addUser(
        { ...request.body, tenantId: request.principal!.tenantId },
        requestAuditContext(request),
      );
      return reply.code(201).send(user);
    },
  );

  api.patch(
    '/api/v1/users/:id',
    {
      preValidation: guard.role('admin'),
      schema: {
        tags: ['users'],
        summary: 'Disable or re-enable a user of the tenant',
        params: S.IdParams,
        body: S.UpdateUserBody,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      const found = await accounts.setDisabled(
        request.principal!.tenantId,
        request.params.id,
        request.body.disabled,
        requestAuditContext(request),
      );
      if (!found)
        throw new AppError('HTTP_ERR_NOT_FOUND', `No user ${request.params.id} in this tenant`);
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/api/v1/api-keys',
    {
      preValidation: guard.role('admin'),
      schema: {
        tags: ['api-keys'],
        summary: "The tenant's API keys (never the keys themselves)",
        response: { 200: Type.Array(S.ApiKeyReply), ...problems },
      },
    },
    async (request) =>
      (await accounts.listApiKeys(request.principal!.tenantId)).map((k) => ({
        ...k,
        createdAt: k.createdAt.toISOString(),
        revokedAt: k.revokedAt?.toISOString() ?? null,
      })),
  );

  api.post(
    '/api/v1/api-keys',
    {
      preValidation: guard.role('admin'),
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key for this tenant',
        body: S.CreateApiKeyBody,
        response: { 201: S.CreatedApiKeyReply, ...problems },
      },
    },
    async (request, reply) => {
      const created = await accounts.createApiKey(
        {
          ...request.body,
          tenantId: request.principal!.tenantId,
          createdBy: request.principal!.userId ?? undefined,
        },
        requestAuditContext(request),
      );
      return reply.code(201).send({ ...created, createdAt: created.createdAt.toISOString() });
    },
  );

  api.delete(
    '/api/v1/api-keys/:id',
    {
      preValidation: guard.role('admin'),
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key (the next request with it fails)',
        params: S.IdParams,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      if (
        !(await accounts.revokeApiKey(
          request.principal!.tenantId,
          request.params.id,
          requestAuditContext(request),
        ))
      ) {
        throw new AppError(
          'HTTP_ERR_NOT_FOUND',
          `No active API key ${request.params.id} in this tenant`,
        );
      }
      return reply.code(204).send(null);
    },
  );
}

/**
 * Whether a request comes from the server machine itself: its direct peer is a loopback address
 * and no proxy forwarded it (a proxy on the same machine would make every caller look local).
 */
export function fromThisMachine(request: FastifyRequest): boolean {
  const peer = request.raw.socket.remoteAddress ?? '';
  const loopback = peer === '::1' || peer.startsWith('127.') || peer.startsWith('::ffff:127.');
  const forwarded = ['forwarded', 'x-forwarded-for', 'x-real-ip'].some(
    (header) => header in request.headers,
  );
  return loopback && !forwarded;
}

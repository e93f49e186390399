/** GET /api/v1/features: the feature flags' values for the caller's tenant (any role). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Guard } from '../auth/guard.js';
import { PROBLEM_RESPONSES } from '../http/problem-schema.js';
import { FLAG_KEYS, FLAGS } from './definitions.js';
import type { Flags } from './flags.js';

export async function flagRoutes(
  app: FastifyInstance,
  { flags, guard }: { flags: Flags; guard: Guard },
): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/features',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['features'],
        summary: "Feature flags for the caller's tenant (docs/operations.md)",
        response: {
          200: Type.Object({
            flags: Type.Object(
              Object.fromEntries(
                FLAG_KEYS.map((key) => [
                  key,
                  Type.Boolean({ description: FLAGS[key].description }),
                ]),
              ),
              { additionalProperties: false },
            ),
          }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => ({ flags: await flags.all({ tenantId: request.principal!.tenantId }) }),
  );
}

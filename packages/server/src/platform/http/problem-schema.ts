import { Type } from 'typebox';

/** RFC 9457 problem details as every error response carries them (see errors.ts). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    requestId: Type.String(),
  },
  { additionalProperties: true, $id: 'Problem' },
);

/** Error responses a protected route documents. */
export const PROBLEM_RESPONSES = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  422: ProblemSchema,
  429: ProblemSchema,
};

/** A public page's refusal: the page a browser shows, problem+json for a client asking JSON. */
export const PAGE_OR_PROBLEM = {
  description: 'HTML page, or problem+json to `Accept: application/json`',
  content: {
    'text/html': { schema: Type.String() },
    'application/problem+json': { schema: ProblemSchema },
  },
};

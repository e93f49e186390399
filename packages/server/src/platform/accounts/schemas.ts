import { Type } from 'typebox';
import { PASSWORD_MAX_LENGTH } from '../auth/passwords.js';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4 });
export const RoleSchema = Type.Union([
  Type.Literal('admin'),
  Type.Literal('operator'),
  Type.Literal('viewer'),
]);
const strict = { additionalProperties: false } as const;

export const LoginBody = Type.Object({ email: Email, password: Password }, strict);
export const SetupBody = Type.Object(
  {
    email: Email,
    password: Password,
    organisation: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Names the first tenant' }),
    ),
  },
  strict,
);
export const SetupStatus = Type.Object({
  needed: Type.Boolean({ description: 'Nobody can sign in yet' }),
  allowed: Type.Boolean({
    description: 'This caller may run the setup (it comes from the server machine itself)',
  }),
});

export const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 200 }) },
  strict,
);
export const PasswordBody = Type.Object(
  { currentPassword: Password, newPassword: Password },
  strict,
);

export const TokenPairReply = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
});

export const MembershipSchema = Type.Object({
  tenantId: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  role: RoleSchema,
});
export const MeReply = Type.Object({
  id: Type.String(),
  email: Type.String(),
  tenants: Type.Array(MembershipSchema),
});

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, strict);
export const AddUserBody = Type.Object(
  { email: Email, password: Type.Optional(Password), role: RoleSchema },
  strict,
);
export const UserReply = Type.Object({ id: Type.String(), email: Type.String() });
export const UpdateUserBody = Type.Object({ disabled: Type.Boolean() }, strict);

export const CreateApiKeyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), role: RoleSchema },
  strict,
);
const ApiKeyFields = {
  id: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  prefix: Type.String({ description: 'First characters of the key, to recognise it' }),
  createdAt: Type.String({ format: 'date-time' }),
};
export const ApiKeyReply = Type.Object({
  ...ApiKeyFields,
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export const CreatedApiKeyReply = Type.Object({
  ...ApiKeyFields,
  key: Type.String({ description: 'The key itself: shown this once, never again' }),
});

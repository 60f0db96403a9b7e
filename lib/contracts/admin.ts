import { z } from 'zod';
import { ROLES } from '@/lib/auth/roles';

// The admin API (app/api/admin/{users,api-keys}): people and API keys. Client-safe.

/** The shortest password better-auth accepts (lib/auth/auth.ts) and the forms ask for. */
export const MIN_PASSWORD_LENGTH = 12;

export const apiUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  active: z.boolean(),
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
});
export type ApiUser = z.infer<typeof apiUserSchema>;

export const getUsersResponseSchema = z.object({ users: z.array(apiUserSchema) });
export type GetUsersResponse = z.infer<typeof getUsersResponseSchema>;

export const userResponseSchema = z.object({ user: apiUserSchema });
export type UserResponse = z.infer<typeof userResponseSchema>;

const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(128, 'must be at most 128 characters');

export const createUserSchema = z.object({
  email: z
    .email('must be an email address')
    .max(254)
    .transform((s) => s.toLowerCase()),
  name: z.string().trim().min(1, 'is required').max(100),
  password: passwordSchema,
  role: z.enum(ROLES),
});

export const updateUserSchema = z
  .object({
    role: z.enum(ROLES).optional(),
    active: z.boolean().optional(),
    name: z.string().trim().min(1, 'is required').max(100).optional(),
    password: passwordSchema.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'nothing to change');

export const userParamsSchema = z.object({ id: z.string() });

export const apiKeySummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKeySummary = z.infer<typeof apiKeySummarySchema>;

export const getApiKeysResponseSchema = z.object({ apiKeys: z.array(apiKeySummarySchema) });
export type GetApiKeysResponse = z.infer<typeof getApiKeysResponseSchema>;

export const createApiKeyResponseSchema = z.object({
  apiKey: apiKeySummarySchema,
  key: z.string().meta({ description: 'The whole key. Shown this once.' }),
});
export type CreateApiKeyResponse = z.infer<typeof createApiKeyResponseSchema>;

export const deleteApiKeyResponseSchema = z.object({ revoked: z.literal(true) });

export const createApiKeySchema = z.object({ name: z.string().trim().min(1, 'is required').max(100) });

export const apiKeyParamsSchema = z.object({ id: z.string() });

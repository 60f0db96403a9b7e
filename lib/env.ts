import { z } from 'zod';

// The only reader of process.env. Parsed once; a bad value stops the server with a message naming it.

const required = { error: (i: { input: unknown }) => (i.input === undefined ? 'is required' : 'must be a string') };

const commaList = z
  .string(required)
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().min(8, 'each secret must be at least 8 characters')).min(1, 'at least one secret is required'));

export const envSchema = z.object({
  /** One or more app secrets, comma-separated, so a secret can be rotated without downtime. */
  WHATSAPP_APP_SECRET: commaList,
  WHATSAPP_VERIFY_TOKEN: z.string(required).min(1, 'must not be empty'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /**
   * The database straight, when DATABASE_URL goes through a transaction-mode pooler (PgBouncer): used for
   * LISTEN, session advisory locks and migrations.
   */
  DATABASE_DIRECT_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATA_DIR: z.string().min(1).default('./.data'),
  INBOX_API_KEY: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** The first admin, created at start-up when no user exists yet. */
  ADMIN_EMAIL: z
    .email('must be an email address')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  ADMIN_PASSWORD: z
    .string()
    .min(12, 'must be at least 12 characters')
    .max(128, 'must be at most 128 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Signs session cookies; unset → generated once and kept in the database (shared by every instance). */
  AUTH_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** The public URL (https://inbox.example.com): sign-in accepts requests from this origin only, cookies get Secure on https. Unset → the request's own host. */
  APP_URL: z
    .url('must be a URL like https://inbox.example.com')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Proxies of ours in front of the app: the client address is the Nth from the right in X-Forwarded-For. 0 → the socket's address, the header ignored. */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** Sign-in attempts allowed per client address per minute. */
  SIGN_IN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).max(100000).default(10),
  WEBHOOK_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /** How long the webhook waits for its durable write before answering 503 so Meta retries. */
  WEBHOOK_DB_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /** The business's Graph API token, to download media. Unset: media stays pending, and the thread says why. */
  WHATSAPP_ACCESS_TOKEN: z
    .string()
    .min(1)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  WHATSAPP_GRAPH_URL: z.url('must be a URL like https://graph.facebook.com').default('https://graph.facebook.com'),
  WHATSAPP_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v23.0')
    .default('v23.0'),
  /**
   * Hosts besides WHATSAPP_GRAPH_URL's own that may receive the access token, when Meta's media URL (or a
   * redirect) names them: comma-separated host names or `*.domain` for its subdomains, https only. Setting
   * it replaces the default, Meta's documented media host.
   */
  WHATSAPP_MEDIA_HOSTS: z
    .string()
    .default('lookaside.fbsbx.com')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/, 'each entry must be a host name or *.domain'))
        .min(1, 'at least one host is required'),
    ),
  /** Where downloaded media is stored (content-addressed). Default: DATA_DIR/media. */
  MEDIA_DIR: z
    .string()
    .min(1)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Media in an S3-compatible bucket shared by every node (s3://bucket/prefix) instead of MEDIA_DIR. */
  MEDIA_STORE_URL: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'must be s3://bucket or s3://bucket/prefix')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** An S3-compatible server (MinIO, R2...); unset: AWS. */
  MEDIA_S3_ENDPOINT: z
    .url('must be a URL like https://minio.example.com:9000')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  MEDIA_S3_REGION: z.string().min(1).default('us-east-1'),
  /** Unset (both): the AWS SDK's own chain (AWS_ACCESS_KEY_ID, instance roles...). */
  MEDIA_S3_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  MEDIA_S3_SECRET_ACCESS_KEY: z
    .string()
    .min(1)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Bucket in the path (most S3-compatible servers) rather than in the host name. Default: on with an endpoint. */
  MEDIA_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0', 'on', 'off'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'on')),
  /** Larger files are refused (Meta's own limit is 100 MB, for documents). */
  MEDIA_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
  /** Downloads at once, per instance. */
  MEDIA_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** One download (both requests) gives up after this long. */
  MEDIA_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  /** Messages per second the outbox sends per business number, on all instances together (Meta's default throughput: 80). */
  WHATSAPP_SEND_MPS: z.coerce.number().int().min(1).max(1000).default(80),
  /** Send requests in flight at once, per instance. */
  OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(256),
  /** A send request with no answer after this long counts as unconfirmed (never resent by itself). */
  WHATSAPP_SEND_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
  /** Mark a conversation's newest message read on WhatsApp (blue ticks) when an agent opens it. */
  WHATSAPP_SEND_READ_RECEIPTS: z
    .enum(['true', 'false', '1', '0', 'on', 'off'])
    .default('true')
    .transform((v) => v === 'true' || v === '1' || v === 'on'),
  /** GET /api/health answers 503 once processing is this far behind (seconds). */
  HEALTH_MAX_LAG_SECONDS: z.coerce.number().positive().default(120),
  /** Live event streams (GET /api/events) one user or API key may hold open at once, per instance. */
  EVENT_STREAMS_PER_PRINCIPAL: z.coerce.number().int().min(1).max(1000).default(10),
  /** Days a processed webhook body is kept (its hash stays): never less than Meta's 7 days of retries. */
  RAW_EVENT_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(7, 'must be at least 7: Meta retries a webhook for up to 7 days, and a retry must still be recognized')
    .max(36500)
    .default(30),
  DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(100).default(10),
  /** PostgreSQL cancels a request's statement after this long (503), so one slow search cannot hold a connection. 0: no limit. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** Set by Next: `production` under `next start`. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {}

/**
 * The published example values of secrets (.env.example, which `npm run dev` copies to .env). Anyone can
 * read them, so a production server refuses to start with one (a unit test keeps this list in step).
 */
export const EXAMPLE_SECRETS = {
  WHATSAPP_APP_SECRET: 'dev-app-secret-change-me',
  WHATSAPP_VERIFY_TOKEN: 'dev-verify-token',
  INBOX_API_KEY: 'dev-inbox-api-key-change-me',
  ADMIN_PASSWORD: 'change-me-admin-password',
} as const;

export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty variable (`MEDIA_DIR=` in a .env file) means unset, as it does for most tools.
  const given = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = envSchema.safeParse(given);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join('\n')}\nSee .env.example for every variable.`);
  }
  const examples = result.data.NODE_ENV === 'production' ? exampleSecretsIn(result.data) : [];
  if (examples.length > 0) {
    const lines = examples.map((name) => `  ${name}: is the published example value; set a secret of your own`);
    throw new EnvError(`Invalid configuration for production:\n${lines.join('\n')}\nSee .env.example for every variable.`);
  }
  return result.data;
}

/** The secrets still set to their published example value. */
function exampleSecretsIn(env: Env): string[] {
  return Object.entries(EXAMPLE_SECRETS)
    .filter(([name, example]) => {
      const value = env[name as keyof typeof EXAMPLE_SECRETS];
      return Array.isArray(value) ? value.includes(example) : value === example;
    })
    .map(([name]) => name);
}

/** Just what the database needs, for scripts that don't run the webhook (db:migrate). */
export function databaseEnv() {
  const result = envSchema.pick({ DATABASE_URL: true, DATABASE_DIRECT_URL: true, DATA_DIR: true }).safeParse(process.env);
  if (!result.success)
    throw new EnvError(`Invalid configuration: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return result.data;
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

import path from 'node:path';

// What global-setup.ts hands to the tests. Kept apart from helpers.ts, which loads Playwright's test
// runner: the global setup must not.

/** Environment variables set by the global setup, inherited by the workers. */
export const E2E_ENV = {
  /** The server's base URL (http://127.0.0.1:<port>). */
  url: 'TICKS_E2E_URL',
  /** The app secret webhooks are signed with. */
  webhookSecret: 'TICKS_E2E_WEBHOOK_SECRET',
  /** INBOX_API_KEY of the server, for the read API. */
  apiKey: 'TICKS_E2E_API_KEY',
  /** The server's PostgreSQL database, for tests that must set up a state HTTP cannot reach; unset on PGlite. */
  databaseUrl: 'TICKS_E2E_DATABASE_URL',
  /** The fake Graph API the server sends to (connectFakeGraph: script its answers, read what it received). */
  graphUrl: 'TICKS_E2E_GRAPH_URL',
  /** Set when the agent could not be created or signed in: why. */
  agentError: 'TICKS_E2E_AGENT_ERROR',
} as const;

/**
 * Media the fake Graph API (started by the global setup, WHATSAPP_GRAPH_URL of the server) serves by
 * these ids. Any other media id is unknown to it: its download fails as expired.
 */
export const E2E_MEDIA = {
  /** A 40×30 PNG, one colour. */
  image: { id: 'e2e-image-1', mimeType: 'image/png', width: 40, height: 30 },
  /** One second of a 440 Hz tone: WAV, PCM 16-bit, 8 kHz, mono. */
  audio: { id: 'e2e-audio-1', mimeType: 'audio/wav', seconds: 1 },
  /** A tiny PDF. */
  document: { id: 'e2e-document-1', mimeType: 'application/pdf' },
  /** Downloads fine, but is not audio at all: the browser cannot play it. */
  damagedAudio: { id: 'e2e-audio-damaged', mimeType: 'audio/ogg' },
} as const;

/** The access token the server is started with, and the only one the fake Graph API accepts. */
export const E2E_GRAPH_TOKEN = 'e2e-graph-token';

export type E2eRole = 'admin' | 'agent';

export const E2E_USERS = {
  admin: { email: 'admin@ticks.test', password: 'e2e-admin-password-0123', name: 'Admin' },
  agent: { email: 'agent@ticks.test', password: 'e2e-agent-password-0123', name: 'Alex Agent' },
} as const satisfies Record<E2eRole, { email: string; password: string; name: string }>;

/** Signed-in browser states, one per role (git-ignored). */
export const AUTH_DIR = path.join(process.cwd(), 'tests', 'e2e', '.auth');

export const storageStatePath = (role: E2eRole) => path.join(AUTH_DIR, `${role}.json`);

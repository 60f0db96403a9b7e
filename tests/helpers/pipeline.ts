import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '@/db/client';
import { RawEventLog } from '@/lib/whatsapp/ingest';
import { EventProcessor, type ProcessorOptions } from '@/lib/whatsapp/processor';
import { receiveDelivery, type WebhookConfig, type WebhookDeps } from '@/lib/whatsapp/webhook';
import { signBody } from '../../tools/meta-envelopes';
import { sharedDir } from './shared-dir';

export const SECRET = 'test-app-secret-1';
export const SECRET_NEXT = 'test-app-secret-2';
export const sharedPayloadsDir = path.join(sharedDir(), 'payloads');
export const fixturesDir = path.resolve(process.cwd(), 'tests/fixtures/payloads');

export const silentLog = pino({ level: 'silent' });

/** The webhook pipeline wired to a test database, with the processor driven by hand. */
export function createPipeline(
  database: Database,
  options: {
    config?: Partial<WebhookConfig>;
    timeoutMs?: number;
    processor?: Partial<ProcessorOptions>;
    onOutcome?: WebhookDeps['onOutcome'];
  } = {},
) {
  const config: WebhookConfig = { appSecrets: [SECRET], verifyToken: 'verify-me', maxBodyBytes: 4 * 1024 * 1024, ...options.config };
  const rawEvents = new RawEventLog(database.db, { timeoutMs: options.timeoutMs ?? 5000 });
  const processor = new EventProcessor(database, { log: silentLog, backoffMs: () => 0, ...options.processor });

  async function post(
    body: string | Uint8Array,
    init: { signature?: string | null; secret?: string; headers?: Record<string, string> } = {},
  ) {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const signature = init.signature === undefined ? signBody(bytes, init.secret ?? SECRET) : init.signature;
    const req = new Request('http://localhost/api/webhook', {
      method: 'POST',
      body: bytes as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature }), ...init.headers },
    });
    return receiveDelivery(req, { config, rawEvents, log: silentLog, onOutcome: options.onOutcome });
  }

  /** Processes until nothing is due. */
  async function drain() {
    let total = 0;
    for (let i = 0; i < 1000; i++) {
      const n = await processor.processDue();
      total += n;
      if (n === 0) return total;
    }
    throw new Error('processor never drained');
  }

  return { config, rawEvents, processor, post, drain };
}

export function readPayload(file: string): Buffer {
  const shared = path.join(sharedPayloadsDir, file);
  return fs.readFileSync(fs.existsSync(shared) ? shared : path.join(fixturesDir, file));
}

export function samplePayloadFiles(): string[] {
  return fs
    .readdirSync(sharedPayloadsDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export async function count(database: Database, table: string, where = sql``): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(database.db, sql`select count(*) as n from ${sql.identifier(table)} ${where}`);
  return Number(row?.n ?? 0);
}

export async function messageRow(database: Database, wamid: string) {
  const [row] = await queryRows<Record<string, unknown>>(database.db, sql`select * from messages where wamid = ${wamid}`);
  return row;
}

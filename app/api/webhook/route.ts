import { getApp, webhookDepsOf } from '@/lib/app';
import { log } from '@/lib/log';
import { receiveDelivery, verifySubscription } from '@/lib/whatsapp/webhook';

// Meta's subscription handshake, and its deliveries wherever the webhook lane does not take them first
// (`next start`, `next dev`; under `npm start` the POSTs go through lib/http/webhook-lane.ts).

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  const app = await getApp();
  return verifySubscription(new URL(req.url), app.env.WHATSAPP_VERIFY_TOKEN, log);
}

export async function POST(req: Request) {
  return receiveDelivery(req, webhookDepsOf(await getApp()));
}

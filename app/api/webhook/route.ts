import { getApp } from '@/lib/app';
import { log } from '@/lib/log';
import { receiveDelivery, verifySubscription } from '@/lib/whatsapp/webhook';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  const app = await getApp();
  return verifySubscription(new URL(req.url), app.env.WHATSAPP_VERIFY_TOKEN, log);
}

export async function POST(req: Request) {
  const app = await getApp();
  return receiveDelivery(req, {
    config: {
      appSecrets: app.env.WHATSAPP_APP_SECRET,
      verifyToken: app.env.WHATSAPP_VERIFY_TOKEN,
      maxBodyBytes: app.env.WEBHOOK_MAX_BODY_BYTES,
    },
    rawEvents: app.rawEvents,
    log,
    onAccepted: () => app.processor.notify(),
    onOutcome: (result, seconds) => {
      app.metrics.observeWebhook(result, seconds);
      if (result.outcome === 'rejected') app.rejections.record(result.reason);
    },
  });
}

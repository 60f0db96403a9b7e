import { serve } from '@/lib/http/serve';
import { postMessageRetry } from '@/lib/outbox/outbox-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postMessageRetry);

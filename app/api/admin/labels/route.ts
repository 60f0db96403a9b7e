import { serve } from '@/lib/http/serve';
import { postLabel } from '@/lib/inbox/labels-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postLabel);

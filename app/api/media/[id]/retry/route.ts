import { serve } from '@/lib/http/serve';
import { postMediaRetry } from '@/lib/media/media-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postMediaRetry);

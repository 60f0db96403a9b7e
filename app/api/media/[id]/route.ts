import { serve } from '@/lib/http/serve';
import { getMedia } from '@/lib/media/media-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getMedia);

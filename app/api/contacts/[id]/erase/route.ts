import { serve } from '@/lib/http/serve';
import { getErasePreviewRoute, postEraseRoute } from '@/lib/privacy/privacy-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getErasePreviewRoute);
export const POST = serve(postEraseRoute);

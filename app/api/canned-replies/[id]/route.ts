import { serve } from '@/lib/http/serve';
import { deleteCannedReplyRoute, patchCannedReply } from '@/lib/inbox/canned-replies-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const PATCH = serve(patchCannedReply);
export const DELETE = serve(deleteCannedReplyRoute);

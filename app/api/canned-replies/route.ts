import { serve } from '@/lib/http/serve';
import { getCannedReplies, postCannedReply } from '@/lib/inbox/canned-replies-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getCannedReplies);
export const POST = serve(postCannedReply);

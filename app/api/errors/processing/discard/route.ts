import { postProcessingDiscard } from '@/lib/error-log/api';
import { serve } from '@/lib/http/serve';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postProcessingDiscard);

import { serve } from '@/lib/http/serve';
import { postProcessingRetry } from '@/lib/error-log/api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postProcessingRetry);

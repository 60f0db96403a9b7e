import { serve } from '@/lib/http/serve';
import { getProcessingFailure } from '@/lib/error-log/api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getProcessingFailure);

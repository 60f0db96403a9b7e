import { serve } from '@/lib/http/serve';
import { getProcessingFailures } from '@/lib/error-log/api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getProcessingFailures);

import { serve } from '@/lib/http/serve';
import { getLabels } from '@/lib/inbox/labels-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getLabels);

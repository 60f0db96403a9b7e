import { serve } from '@/lib/http/serve';
import { getBusinessNumbers } from '@/lib/inbox/read-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getBusinessNumbers);

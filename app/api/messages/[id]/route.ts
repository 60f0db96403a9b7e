import { serve } from '@/lib/http/serve';
import { getMessage } from '@/lib/inbox/read-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getMessage);

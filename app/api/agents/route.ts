import { serve } from '@/lib/http/serve';
import { getAgents } from '@/lib/inbox/agents-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getAgents);

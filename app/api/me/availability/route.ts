import { serve } from '@/lib/http/serve';
import { getMyAvailability, putMyAvailability } from '@/lib/inbox/assignment-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getMyAvailability);
export const PUT = serve(putMyAvailability);

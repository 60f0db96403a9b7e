import { serve } from '@/lib/http/serve';
import { postUpload } from '@/lib/uploads/uploads-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postUpload);

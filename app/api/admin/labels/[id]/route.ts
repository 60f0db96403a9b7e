import { serve } from '@/lib/http/serve';
import { deleteLabelRoute, patchLabel } from '@/lib/inbox/labels-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const PATCH = serve(patchLabel);
export const DELETE = serve(deleteLabelRoute);

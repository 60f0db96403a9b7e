import { ApiError, badRequest } from './errors';

const MAX_JSON_BYTES = 64 * 1024;

/**
 * The JSON body of an API mutation. Requiring `application/json` also keeps plain HTML forms on
 * other sites from posting here (they cannot set that type without a CORS preflight).
 */
export async function readJsonBody(req: Request): Promise<unknown> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new ApiError(415, 'invalid_request', 'Send the body as JSON (Content-Type: application/json).');
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > MAX_JSON_BYTES) throw new ApiError(413, 'invalid_request', 'The body is too large.');
  const text = await req.text();
  if (text.length > MAX_JSON_BYTES) throw new ApiError(413, 'invalid_request', 'The body is too large.');
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('The body is not valid JSON.');
  }
}

import { describe, expect, it, vi } from 'vitest';

// `next start` loads a module once per layer: the app's long-lived parts (made by the instrumentation hook)
// and the route handlers hold different copies of the same class (lib/bundle-identity.ts). Here each
// copy comes from a fresh module registry, as in Next's bundles.

/** Two copies of a module, each from a registry of its own. */
async function twoCopies<M>(load: () => Promise<M>): Promise<[M, M]> {
  vi.resetModules();
  const first = await load();
  vi.resetModules();
  return [first, await load()];
}

describe('classes the app and the routes share across bundles', () => {
  it('are two classes per copy, as in Next: a class of its own is not recognised across them', async () => {
    const [a, b] = await twoCopies(() => import('@/lib/jobs/wake-up'));
    expect(new a.WakeUp() instanceof b.WakeUp).toBe(false);
  });

  it('recognise the errors that cross (ApiError, DatabaseUnavailableError, ConversationNotFoundError, MediaObjectMissingError) from the other copy', async () => {
    const [errorsA, errorsB] = await twoCopies(() => import('@/lib/http/errors'));
    expect(errorsA.ApiError).not.toBe(errorsB.ApiError);
    const thrown = errorsA.notFound('Conversation not found');
    expect(thrown instanceof errorsB.ApiError).toBe(true);
    // So the route answers with it, not with a 500.
    expect(errorsB.toApiError(thrown)).toMatchObject({ status: 404, code: 'not_found' });

    const [ingestA, ingestB] = await twoCopies(() => import('@/lib/whatsapp/ingest'));
    expect(new ingestA.DatabaseUnavailableError(new Error('down')) instanceof ingestB.DatabaseUnavailableError).toBe(true);

    const [signalsA, signalsB] = await twoCopies(() => import('@/lib/customer-signals/customer-signals'));
    expect(new signalsA.ConversationNotFoundError() instanceof signalsB.ConversationNotFoundError).toBe(true);

    const [storageA, storageB] = await twoCopies(() => import('@/lib/media/storage'));
    expect(new storageA.MediaObjectMissingError('k') instanceof storageB.MediaObjectMissingError).toBe(true);
  });

  it('still tell other errors apart, and a subclass keeps the ordinary check', async () => {
    const { ApiError } = await import('@/lib/http/errors');
    const { DatabaseUnavailableError } = await import('@/lib/whatsapp/ingest');
    expect(new Error('x') instanceof ApiError).toBe(false);
    expect((null as unknown as object) instanceof ApiError).toBe(false);
    expect(new ApiError(400, 'invalid_request', 'x') instanceof DatabaseUnavailableError).toBe(false);
    class Narrower extends ApiError {}
    expect(new Narrower(400, 'invalid_request', 'x') instanceof ApiError).toBe(true);
    expect(new ApiError(400, 'invalid_request', 'x') instanceof Narrower).toBe(false);
  });
});

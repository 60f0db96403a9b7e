'use client';
import { useState, type FormEvent } from 'react';
import type { ApiKeySummary, CreateApiKeyResponse } from '@/lib/contracts/admin';
import { createApiKey, revokeApiKey, useApiKeys } from '@/app/_components/api/use-admin';
import { Notice, useNotice } from '@/app/_components/notice';
import { Button } from '@/app/_components/ui/button';
import { Input } from '@/app/_components/ui/input';
import { PageHeader } from '@/app/_components/ui/section';
import { EmptyState, LoadState } from '@/app/_components/ui/states';
import { DateTime } from '@/app/_components/ui/time';

export function ApiKeysAdmin() {
  const { data, error, isLoading, mutate } = useApiKeys();
  const [notice, show] = useNotice();
  const [created, setCreated] = useState<CreateApiKeyResponse | null>(null);
  const [pending, setPending] = useState(false);
  const [copied, setCopied] = useState(false);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    setPending(true);
    try {
      const result = await createApiKey(String(new FormData(formElement).get('name') ?? ''));
      setCreated(result);
      setCopied(false);
      show(null);
      formElement.reset();
      await mutate();
    } catch (err) {
      show({ kind: 'error', text: (err as Error).message });
    }
    setPending(false);
  }

  async function revoke(key: ApiKeySummary) {
    if (!window.confirm(`Revoke "${key.name}"? Integrations using it stop working at once.`)) return;
    try {
      await revokeApiKey(key.id);
      show({ kind: 'success', text: `"${key.name}" is revoked.` });
    } catch (err) {
      show({ kind: 'error', text: (err as Error).message });
    }
    await mutate();
  }

  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <PageHeader title="API keys">
        Integrations read the inbox with <code className="rounded bg-slate-100 px-1">Authorization: Bearer &lt;key&gt;</code> (see the
        README for the endpoints). A key is shown once when it is created; only its hash is stored.
      </PageHeader>
      <Notice notice={notice} />
      <form onSubmit={onCreate} className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4">
        <label className="min-w-64 flex-1 text-sm text-slate-700">
          Name
          <Input name="name" required maxLength={100} placeholder="e.g. CRM sync" className="mt-1 w-full" />
        </label>
        <Button type="submit" variant="primary" size="md" disabled={pending}>
          {pending ? 'Creating…' : 'Create key'}
        </Button>
      </form>
      {created && (
        <div role="status" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm">
          <p className="font-medium">Copy the key for “{created.apiKey.name}” now: it will not be shown again.</p>
          <div className="mt-2 flex items-center gap-2">
            <code data-testid="new-api-key" className="flex-1 overflow-x-auto rounded bg-white px-2 py-1 font-mono text-xs select-all">
              {created.key}
            </code>
            <Button
              onClick={() =>
                navigator.clipboard?.writeText(created.key).then(
                  () => setCopied(true),
                  () => {},
                )
              }
            >
              {copied ? 'Copied' : 'Copy'}
            </Button>
            <Button variant="quiet" onClick={() => setCreated(null)}>
              Done
            </Button>
          </div>
        </div>
      )}
      <section className="rounded-lg border border-slate-200 bg-white">
        <LoadState isLoading={isLoading} error={error} what="keys" className="px-4 py-6" />
        {data && data.apiKeys.length === 0 && <EmptyState>No keys yet. INBOX_API_KEY from the environment also works as a key.</EmptyState>}
        {data && data.apiKeys.length > 0 && (
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs text-slate-500">
              <tr>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Key</th>
                <th className="px-4 py-2 font-medium">Created</th>
                <th className="px-4 py-2 font-medium">Last used</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {data.apiKeys.map((key) => (
                <tr key={key.id} data-testid="api-key-row">
                  <td className="px-4 py-2 font-medium">{key.name}</td>
                  <td className="px-4 py-2 font-mono text-xs text-slate-600">{key.prefix}…</td>
                  <td className="px-4 py-2 text-slate-600">
                    <DateTime iso={key.createdAt} fallback="—" />
                    {key.createdBy && <div className="text-xs text-slate-400">by {key.createdBy}</div>}
                  </td>
                  <td className="px-4 py-2 text-slate-600">
                    <DateTime iso={key.lastUsedAt} fallback="—" />
                  </td>
                  <td className="px-4 py-2 text-right">
                    {key.revokedAt ? (
                      <span className="text-xs text-slate-500">
                        Revoked <DateTime iso={key.revokedAt} fallback="—" />
                      </span>
                    ) : (
                      <Button variant="danger" onClick={() => revoke(key)}>
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

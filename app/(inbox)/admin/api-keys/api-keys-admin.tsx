'use client';
import { useState, type FormEvent } from 'react';
import useSWR from 'swr';
import type { ApiKeySummary, CreateApiKeyResponse, GetApiKeysResponse } from '@/lib/admin/api-keys-api';
import { fetchJson, swrFetcher } from '@/app/_components/fetch-json';
import { Notice, useNotice } from '@/app/_components/notice';

const KEYS = '/api/admin/api-keys';

const formatDate = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

export function ApiKeysAdmin() {
  const { data, error, isLoading, mutate } = useSWR<GetApiKeysResponse>(KEYS, swrFetcher);
  const [notice, show] = useNotice();
  const [created, setCreated] = useState<CreateApiKeyResponse | null>(null);
  const [pending, setPending] = useState(false);
  const [copied, setCopied] = useState(false);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    setPending(true);
    try {
      const result = await fetchJson<CreateApiKeyResponse>(KEYS, {
        method: 'POST',
        body: { name: String(new FormData(formElement).get('name') ?? '') },
      });
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
      await fetchJson(`${KEYS}/${key.id}`, { method: 'DELETE' });
      show({ kind: 'success', text: `"${key.name}" is revoked.` });
    } catch (err) {
      show({ kind: 'error', text: (err as Error).message });
    }
    await mutate();
  }

  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <div>
        <h1 className="text-xl font-semibold">API keys</h1>
        <p className="text-sm text-slate-600">
          Integrations read the inbox with <code className="rounded bg-slate-100 px-1">Authorization: Bearer &lt;key&gt;</code> (see the
          README for the endpoints). A key is shown once when it is created; only its hash is stored.
        </p>
      </div>
      <Notice notice={notice} />
      <form onSubmit={onCreate} className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4">
        <label className="min-w-64 flex-1 text-sm text-slate-700">
          Name
          <input
            name="name"
            required
            maxLength={100}
            placeholder="e.g. CRM sync"
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-emerald-500 focus:ring-2 focus:ring-emerald-200 focus:outline-none"
          />
        </label>
        <button type="submit" disabled={pending} className="rounded-md bg-emerald-600 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-700 disabled:opacity-60">
          {pending ? 'Creating…' : 'Create key'}
        </button>
      </form>
      {created && (
        <div role="status" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm">
          <p className="font-medium">Copy the key for “{created.apiKey.name}” now: it will not be shown again.</p>
          <div className="mt-2 flex items-center gap-2">
            <code data-testid="new-api-key" className="flex-1 overflow-x-auto rounded bg-white px-2 py-1 font-mono text-xs select-all">
              {created.key}
            </code>
            <button
              type="button"
              onClick={() => navigator.clipboard?.writeText(created.key).then(() => setCopied(true), () => {})}
              className="rounded-md border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50"
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" onClick={() => setCreated(null)} className="rounded-md px-3 py-1 text-slate-600 hover:bg-amber-100">
              Done
            </button>
          </div>
        </div>
      )}
      <section className="rounded-lg border border-slate-200 bg-white">
        {isLoading && <p className="px-4 py-6 text-sm text-slate-500">Loading keys…</p>}
        {error && (
          <p role="alert" className="px-4 py-6 text-sm text-red-700">
            Could not load keys: {(error as Error).message}
          </p>
        )}
        {data && data.apiKeys.length === 0 && (
          <p className="px-4 py-6 text-sm text-slate-500">No keys yet. INBOX_API_KEY from the environment also works as a key.</p>
        )}
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
                    {formatDate(key.createdAt)}
                    {key.createdBy && <div className="text-xs text-slate-400">by {key.createdBy}</div>}
                  </td>
                  <td className="px-4 py-2 text-slate-600">{formatDate(key.lastUsedAt)}</td>
                  <td className="px-4 py-2 text-right">
                    {key.revokedAt ? (
                      <span className="text-xs text-slate-500">Revoked {formatDate(key.revokedAt)}</span>
                    ) : (
                      <button
                        type="button"
                        onClick={() => revoke(key)}
                        className="rounded-md border border-red-200 px-3 py-1 text-red-700 hover:bg-red-50"
                      >
                        Revoke
                      </button>
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

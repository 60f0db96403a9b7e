'use client';
import { useAudit } from '@/app/_components/api/use-activity';
import { useChanges, useCoalesced } from '@/app/_components/use-live-updates';
import { Button } from '@/app/_components/ui/button';
import { PageHeader } from '@/app/_components/ui/section';
import { EmptyState, LoadState } from '@/app/_components/ui/states';
import { DateTime } from '@/app/_components/ui/time';
import { describeAudit } from '@/lib/admin/audit-view';

// /admin/audit: who changed which user, role, API key or setting, and when, newest first.

export function AuditLog() {
  const audit = useAudit();
  const refresh = useCoalesced(() => audit.refresh());
  // User and setting changes come as these topics; key changes have none, and the page refetches on focus.
  useChanges((notice) => {
    if (!notice || notice.partial || notice.topics.includes('agents') || notice.topics.includes('settings')) refresh();
  });
  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <PageHeader title="Audit">
        Changes to people, roles, API keys and settings, with who made them. Passwords and keys are never recorded.
      </PageHeader>
      <div className="rounded-lg border border-slate-200 bg-white">
        <LoadState isLoading={audit.isLoading} error={audit.error} what="the audit" />
        {!audit.isLoading && !audit.error && audit.items.length === 0 && <EmptyState>Nothing has been changed yet.</EmptyState>}
        {audit.items.length > 0 && (
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
              <tr>
                <th className="px-4 py-2 font-medium">When</th>
                <th className="px-4 py-2 font-medium">What</th>
              </tr>
            </thead>
            <tbody>
              {audit.items.map((entry) => (
                <tr key={entry.id} data-testid="audit-entry" data-action={entry.action} className="border-b border-slate-100 last:border-0">
                  <td className="px-4 py-2 whitespace-nowrap text-slate-600">
                    <DateTime iso={entry.at} />
                  </td>
                  <td className="px-4 py-2">{describeAudit(entry)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {audit.hasMore && (
          <div className="border-t border-slate-200 p-3 text-center">
            <Button onClick={audit.loadMore} disabled={audit.loadingMore}>
              {audit.loadingMore ? 'Loading…' : 'Older entries'}
            </Button>
          </div>
        )}
      </div>
    </div>
  );
}

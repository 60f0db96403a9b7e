import type { ApiAuditEntry } from '@/lib/contracts/audit';

// What an audit entry says, in words: "Ana changed Bo's role from agent to admin". PURE.

const str = (value: unknown) => (typeof value === 'string' ? value : String(value ?? ''));

export function describeAudit(entry: ApiAuditEntry): string {
  const who = entry.actor.name;
  const target = entry.target.name ?? entry.target.id ?? 'someone';
  const d = entry.details;
  switch (entry.action) {
    case 'user.created':
      return `${who} added ${target} (${str(d.email)}) as ${str(d.role)}`;
    case 'user.renamed':
      return `${who} renamed ${str(d.from)} to ${str(d.to)}`;
    case 'user.role_changed':
      return `${who} changed ${target}'s role from ${str(d.from)} to ${str(d.to)}`;
    case 'user.password_reset':
      return `${who} reset ${target}'s password`;
    case 'user.deactivated':
      return `${who} deactivated ${target}`;
    case 'user.reactivated':
      return `${who} reactivated ${target}`;
    case 'api_key.created':
      return `${who} created the API key "${target}"`;
    case 'api_key.revoked':
      return `${who} revoked the API key "${target}"`;
    case 'contact.erased':
      return `${who} erased customer #${entry.target.id ?? '?'}: ${str(d.conversations)} conversations, ${str(d.messages)} messages, ${str(d.mediaFiles)} files, ${str(d.notes)} notes`;
    default:
      return `${who}: ${entry.action} on ${entry.target.kind} ${target}`;
  }
}

'use client';
import { useState, type FormEvent } from 'react';
import useSWR from 'swr';
import type { ApiUser, GetUsersResponse, UserResponse } from '@/lib/admin/users-api';
import { ROLE_LABELS, ROLES, type Role } from '@/lib/auth/roles';
import { fetchJson, swrFetcher } from '@/app/_components/fetch-json';
import { Notice, useNotice } from '@/app/_components/notice';

const USERS = '/api/admin/users';
const ROLE_OPTIONS = ROLES.map((role) => (
  <option key={role} value={role}>
    {ROLE_LABELS[role]}
  </option>
));
const inputClass =
  'mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-emerald-500 focus:ring-2 focus:ring-emerald-200 focus:outline-none';

export function UsersAdmin({ currentUserId }: { currentUserId: string }) {
  const { data, error, isLoading, mutate } = useSWR<GetUsersResponse>(USERS, swrFetcher);
  const [notice, show] = useNotice();

  async function change(user: ApiUser, patch: Partial<{ role: Role; active: boolean; password: string }>, done: string) {
    try {
      await fetchJson<UserResponse>(`${USERS}/${encodeURIComponent(user.id)}`, { method: 'PATCH', body: patch });
      show({ kind: 'success', text: done });
    } catch (err) {
      show({ kind: 'error', text: (err as Error).message });
    }
    await mutate();
  }

  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <div>
        <h1 className="text-xl font-semibold">Users</h1>
        <p className="text-sm text-slate-600">
          Agents work the inbox. Admins also manage users and API keys. A deactivated user is signed out at once and cannot sign in.
        </p>
      </div>
      <Notice notice={notice} />
      <CreateUserForm
        onCreated={async (user) => {
          show({ kind: 'success', text: `${user.email} can now sign in as ${ROLE_LABELS[user.role].toLowerCase()}.` });
          await mutate();
        }}
      />
      <section aria-labelledby="people-heading" className="rounded-lg border border-slate-200 bg-white">
        <h2 id="people-heading" className="border-b border-slate-200 px-4 py-3 text-sm font-semibold">
          People {data && <span className="font-normal text-slate-500">({data.users.length})</span>}
        </h2>
        {isLoading && <p className="px-4 py-6 text-sm text-slate-500">Loading users…</p>}
        {error && (
          <p role="alert" className="px-4 py-6 text-sm text-red-700">
            Could not load users: {(error as Error).message}
          </p>
        )}
        {data && (
          <ul className="divide-y divide-slate-100">
            {data.users.map((user) => (
              <UserRow key={user.id} user={user} isSelf={user.id === currentUserId} onChange={change} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function UserRow({
  user,
  isSelf,
  onChange,
}: {
  user: ApiUser;
  isSelf: boolean;
  onChange: (user: ApiUser, patch: Partial<{ role: Role; active: boolean; password: string }>, done: string) => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [resetting, setResetting] = useState(false);
  const run = async (patch: Parameters<typeof onChange>[1], done: string) => {
    setBusy(true);
    await onChange(user, patch, done);
    setBusy(false);
  };
  return (
    <li className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm" data-testid="user-row" data-email={user.email}>
      <div className="min-w-48 flex-1">
        <div className="font-medium">
          {user.name} {isSelf && <span className="text-xs text-slate-500">(you)</span>}
        </div>
        <div className="text-slate-500">{user.email}</div>
      </div>
      <span
        className={`rounded-full px-2 py-0.5 text-xs ${user.active ? 'bg-emerald-50 text-emerald-800' : 'bg-slate-200 text-slate-700'}`}
      >
        {user.active ? 'Active' : 'Deactivated'}
      </span>
      <label className="flex items-center gap-2">
        <span className="sr-only">Role of {user.email}</span>
        <select
          value={user.role}
          disabled={busy || isSelf}
          title={isSelf ? 'You cannot change your own role' : undefined}
          onChange={(e) => run({ role: e.target.value as Role }, `${user.email} is now ${ROLE_LABELS[e.target.value as Role].toLowerCase()}.`)}
          className="rounded-md border border-slate-300 px-2 py-1"
        >
          {ROLE_OPTIONS}
        </select>
      </label>
      {!isSelf && (
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            run({ active: !user.active }, user.active ? `${user.email} is deactivated and signed out.` : `${user.email} can sign in again.`)
          }
          className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50 disabled:opacity-60"
        >
          {user.active ? 'Deactivate' : 'Reactivate'}
        </button>
      )}
      <button
        type="button"
        disabled={busy}
        onClick={() => setResetting((r) => !r)}
        className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50 disabled:opacity-60"
      >
        Set password
      </button>
      {resetting && (
        <form
          className="flex w-full items-end gap-2"
          onSubmit={async (e) => {
            e.preventDefault();
            const password = String(new FormData(e.currentTarget).get('password') ?? '');
            await run({ password }, `New password set for ${user.email}.`);
            setResetting(false);
          }}
        >
          <label className="flex-1 text-xs text-slate-600">
            New password for {user.email} (12+ characters)
            <input name="password" type="password" minLength={12} required autoComplete="new-password" className={inputClass} />
          </label>
          <button type="submit" disabled={busy} className="rounded-md bg-emerald-600 px-3 py-2 text-white disabled:opacity-60">
            Save password
          </button>
        </form>
      )}
    </li>
  );
}

function CreateUserForm({ onCreated }: { onCreated: (user: ApiUser) => Promise<void> }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setPending(true);
    setError(null);
    try {
      const { user } = await fetchJson<UserResponse>(USERS, {
        method: 'POST',
        body: {
          name: String(form.get('name') ?? ''),
          email: String(form.get('email') ?? ''),
          password: String(form.get('password') ?? ''),
          role: String(form.get('role') ?? 'agent'),
        },
      });
      formElement.reset();
      await onCreated(user);
    } catch (err) {
      setError((err as Error).message);
    }
    setPending(false);
  }

  return (
    <section aria-labelledby="add-user-heading" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="add-user-heading" className="text-sm font-semibold">
        Add a person
      </h2>
      <form onSubmit={onSubmit} className="mt-3 grid gap-3 sm:grid-cols-2">
        <label className="text-sm text-slate-700">
          Name
          <input name="name" required maxLength={100} className={inputClass} />
        </label>
        <label className="text-sm text-slate-700">
          Email
          <input name="email" type="email" required autoComplete="off" className={inputClass} />
        </label>
        <label className="text-sm text-slate-700">
          Password (12+ characters)
          <input name="password" type="password" required minLength={12} autoComplete="new-password" className={inputClass} />
        </label>
        <label className="text-sm text-slate-700">
          Role
          <select name="role" defaultValue="agent" className={inputClass}>
            {ROLE_OPTIONS}
          </select>
        </label>
        {error && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 sm:col-span-2">
            {error}
          </p>
        )}
        <div className="sm:col-span-2">
          <button type="submit" disabled={pending} className="rounded-md bg-emerald-600 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-700 disabled:opacity-60">
            {pending ? 'Adding…' : 'Add user'}
          </button>
        </div>
      </form>
    </section>
  );
}

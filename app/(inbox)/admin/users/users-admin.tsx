'use client';
import { useState, type FormEvent } from 'react';
import type { ApiUser } from '@/lib/contracts/admin';
import { ROLE_LABELS, ROLES, type Role } from '@/lib/auth/roles';
import { createUser, updateUser, useUsers } from '@/app/_components/api/use-admin';
import { Notice, useNotice } from '@/app/_components/notice';
import { Button } from '@/app/_components/ui/button';
import { Field, Input, Select } from '@/app/_components/ui/input';
import { PageHeader } from '@/app/_components/ui/section';
import { LoadState } from '@/app/_components/ui/states';
const ROLE_OPTIONS = ROLES.map((role) => (
  <option key={role} value={role}>
    {ROLE_LABELS[role]}
  </option>
));

export function UsersAdmin({ currentUserId }: { currentUserId: string }) {
  const { data, error, isLoading, mutate } = useUsers();
  const [notice, show] = useNotice();

  async function change(user: ApiUser, patch: Partial<{ role: Role; active: boolean; password: string }>, done: string) {
    try {
      await updateUser(user.id, patch);
      show({ kind: 'success', text: done });
    } catch (err) {
      show({ kind: 'error', text: (err as Error).message });
    }
    await mutate();
  }

  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <PageHeader title="Users">
        Agents work the inbox. Admins also manage users and API keys. A deactivated user is signed out at once and cannot sign in.
      </PageHeader>
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
        <LoadState isLoading={isLoading} error={error} what="users" className="px-4 py-6" />
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
        <Select
          value={user.role}
          disabled={busy || isSelf}
          title={isSelf ? 'You cannot change your own role' : undefined}
          onChange={(e) =>
            run({ role: e.target.value as Role }, `${user.email} is now ${ROLE_LABELS[e.target.value as Role].toLowerCase()}.`)
          }
          fieldSize="xs"
        >
          {ROLE_OPTIONS}
        </Select>
      </label>
      {!isSelf && (
        <Button
          disabled={busy}
          onClick={() =>
            run({ active: !user.active }, user.active ? `${user.email} is deactivated and signed out.` : `${user.email} can sign in again.`)
          }
        >
          {user.active ? 'Deactivate' : 'Reactivate'}
        </Button>
      )}
      <Button disabled={busy} onClick={() => setResetting((r) => !r)}>
        Set password
      </Button>
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
            <Input name="password" type="password" minLength={12} required autoComplete="new-password" className="mt-1 w-full" />
          </label>
          <Button type="submit" variant="primary" size="md" disabled={busy}>
            Save password
          </Button>
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
      const { user } = await createUser({
        name: String(form.get('name') ?? ''),
        email: String(form.get('email') ?? ''),
        password: String(form.get('password') ?? ''),
        role: String(form.get('role') ?? 'agent'),
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
        <Field label="Name">
          <Input name="name" required maxLength={100} className="mt-1 w-full" />
        </Field>
        <Field label="Email">
          <Input name="email" type="email" required autoComplete="off" className="mt-1 w-full" />
        </Field>
        <Field label="Password (12+ characters)">
          <Input name="password" type="password" required minLength={12} autoComplete="new-password" className="mt-1 w-full" />
        </Field>
        <Field label="Role">
          <Select name="role" defaultValue="agent" className="mt-1 w-full">
            {ROLE_OPTIONS}
          </Select>
        </Field>
        {error && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 sm:col-span-2">
            {error}
          </p>
        )}
        <div className="sm:col-span-2">
          <Button type="submit" variant="primary" size="md" disabled={pending}>
            {pending ? 'Adding…' : 'Add user'}
          </Button>
        </div>
      </form>
    </section>
  );
}

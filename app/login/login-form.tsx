'use client';
import { useState, type FormEvent } from 'react';
import { authClient } from '@/lib/auth/client';
import { Button } from '@/app/_components/ui/button';
import { Input } from '@/app/_components/ui/input';

export function LoginForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const { error } = await authClient.signIn.email({
        email: String(form.get('email') ?? ''),
        password: String(form.get('password') ?? ''),
      });
      if (!error) {
        // A full navigation, so the server renders the inbox with the new session cookie.
        window.location.assign(next);
        return;
      }
      setError(
        error.status === 429
          ? (error.message ?? 'Too many sign-in attempts. Wait a minute and try again.')
          : error.status === 401 || error.status === 403 || error.status === 400
            ? 'Wrong email or password, or the account is deactivated.'
            : 'Could not sign in right now. Try again in a moment.',
      );
    } catch {
      setError('Could not reach the server. Check your connection and try again.');
    }
    setPending(false);
  }

  return (
    <form onSubmit={onSubmit} className="mt-6 space-y-4" noValidate>
      <div>
        <label htmlFor="email" className="block text-sm font-medium text-slate-700">
          Email
        </label>
        <Input id="email" name="email" type="email" autoComplete="username" required autoFocus className="mt-1 w-full" />
      </div>
      <div>
        <label htmlFor="password" className="block text-sm font-medium text-slate-700">
          Password
        </label>
        <Input id="password" name="password" type="password" autoComplete="current-password" required className="mt-1 w-full" />
      </div>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      )}
      <Button type="submit" variant="primary" size="md" disabled={pending} className="w-full">
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}

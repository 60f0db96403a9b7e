import type { Principal } from '@/lib/auth/access';

// Open event streams per principal (a user, an API key) on this instance. Each stream holds a connection
// and a subscription for as long as it lasts: a leaked key or a runaway script must not open them without
// end. Counted in memory, so the cap is per instance: behind a load balancer one principal may hold up to
// the cap on each instance.

export class EventStreamLimiter {
  private readonly open = new Map<string, number>();

  constructor(readonly perPrincipal: number) {}

  /** A slot for `principal`, or null when it holds `perPrincipal` already. The release runs once, however often it is called. */
  acquire(principal: Principal): (() => void) | null {
    const key = keyOf(principal);
    const held = this.open.get(key) ?? 0;
    if (held >= this.perPrincipal) return null;
    this.open.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    };
  }

  /** Streams `principal` holds open now. */
  held(principal: Principal): number {
    return this.open.get(keyOf(principal)) ?? 0;
  }
}

// INBOX_API_KEY (keyId null) is one principal too.
const keyOf = (p: Principal) => (p.kind === 'user' ? `user:${p.userId}` : `api-key:${p.keyId ?? 'INBOX_API_KEY'}`);

import { isIP } from 'node:net';

// Who is on the other end of a request, as far as we can trust it. X-Forwarded-For is whatever the
// client wrote, plus one address per proxy on the way: only the entries our own proxies added are
// true. With TRUSTED_PROXY_HOPS=N the Nth from the right is the address the outermost of our N
// proxies saw. With no proxy (0) the header is the client's own: Next's server fills it from the
// socket only when the client sent none, so we take the socket's address from a header of our own
// that every request is stamped with (peer-address.ts).

/** The socket's address, set on every request by the server (stampPeerAddresses); any client value is overwritten. */
export const PEER_ADDRESS_HEADER = 'x-ticks-peer-address';

/** The client's address, or null when it cannot be told (no stamp, no header, not an IP address). */
export function clientAddress(headers: Headers, hops: number): string | null {
  const raw = hops === 0 ? headers.get(PEER_ADDRESS_HEADER) : nthFromRight(headers.get('x-forwarded-for'), hops);
  return raw === null ? null : normalizeAddress(raw);
}

/** The Nth entry from the right; the leftmost when the chain is shorter (the request skipped a proxy: that one is the socket's). */
function nthFromRight(header: string | null, n: number): string | null {
  const chain = (header ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return chain.length === 0 ? null : chain[Math.max(0, chain.length - n)]!;
}

/** One spelling per address: no port or brackets, IPv4-mapped IPv6 as IPv4, IPv6 in lower case. */
export function normalizeAddress(raw: string): string | null {
  let address = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1]!;
  const version = isIP(address);
  if (version === 4) return address;
  if (version === 6) return address.toLowerCase();
  return null;
}

/**
 * The key a per-address limit counts under. An IPv6 host usually holds a whole /64 and can pick a new
 * address from it for every request, so IPv6 addresses count by their /64.
 */
export function addressBucket(address: string | null): string {
  if (address === null) return 'unknown';
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.padStart(4, '0'))
    .join(':')}::/64`;
}

/**
 * Whether the browser reached us over https. Behind our own proxies (hops > 0) X-Forwarded-Proto says
 * so (the leftmost entry: what the outermost proxy was spoken to with); otherwise the request's own
 * URL. A client that lies can only withhold the Secure flag from its own cookie, or add it.
 */
export function arrivedOverHttps(url: string | undefined, headers: Headers | undefined, hops: number): boolean {
  if (hops > 0) {
    const proto = headers?.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
    if (proto) return proto === 'https';
  }
  if (!url) return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

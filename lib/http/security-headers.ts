// The headers on every answer, the webhook's and the APIs' too: set by Next for what it serves (`headers()`
// in next.config.ts) and by the webhook lane for what it answers itself (lib/http/webhook-lane.ts).
// HSTS depends on APP_URL at run time: lib/http/transport-security.ts.

export const SECURITY_HEADERS = [
  // A response is what its content type says, never sniffed into HTML or script.
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // No window we open (a link in a message) gets a handle on ours.
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  // The inbox uses none of these; a script that slipped in could not either.
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()' },
] as const;

import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite ships its own WASM and data files: load it from node_modules at run time instead of bundling it.
  serverExternalPackages: ['@electric-sql/pglite', 'postgres'],
  poweredByHeader: false,
  // forbidden(): agents opening an admin page get a real 403.
  experimental: { authInterrupts: true },
  // On every response, the webhook's and the APIs' too. HSTS depends on APP_URL at run time: proxy.ts.
  async headers() {
    return [{ source: '/:path*', headers: SECURITY_HEADERS }];
  },
};

const SECURITY_HEADERS = [
  // A response is what its content type says, never sniffed into HTML or script.
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // No window we open (a link in a message) gets a handle on ours.
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  // The inbox uses none of these; a script that slipped in could not either.
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()' },
];

export default nextConfig;

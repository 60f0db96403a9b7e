import type { NextConfig } from 'next';
import { SECURITY_HEADERS } from './lib/http/security-headers';

const nextConfig: NextConfig = {
  // PGlite ships its own WASM and data files: load it from node_modules at run time instead of bundling it.
  serverExternalPackages: ['@electric-sql/pglite', 'postgres'],
  poweredByHeader: false,
  // forbidden(): agents opening an admin page get a real 403.
  experimental: { authInterrupts: true },
  // On every response, the webhook's and the APIs' too. HSTS depends on APP_URL at run time: proxy.ts.
  async headers() {
    return [{ source: '/:path*', headers: [...SECURITY_HEADERS] }];
  },
};

export default nextConfig;

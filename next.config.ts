import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite ships its own WASM and data files: load it from node_modules at run time instead of bundling it.
  serverExternalPackages: ['@electric-sql/pglite', 'postgres'],
  poweredByHeader: false,
  // forbidden(): agents opening an admin page get a real 403.
  experimental: { authInterrupts: true },
};

export default nextConfig;

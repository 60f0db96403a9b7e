// Runs once per server process, before the first request is served.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startServer } = await import('./lib/server-lifecycle');
    await startServer();
  }
}

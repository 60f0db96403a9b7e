// Health checks and scrapes must answer even when the database does not (a dropped connection can leave a
// query waiting for the driver's own, much longer, timeout): they give up on it after this long.

export const DATABASE_DEADLINE_MS = 2000;

/** `work`'s result, or a rejection once `ms` have passed without one. */
export async function withinDeadline<T>(work: Promise<T>, ms = DATABASE_DEADLINE_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

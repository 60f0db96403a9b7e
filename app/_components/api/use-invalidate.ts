'use client';
import { useSWRConfig } from 'swr';
import { cacheKeysOf, type KeyFamily } from './keys';

/** After a mutation: refetch whatever this browser shows of an endpoint, by its key family. */
export function useInvalidate(): (family: KeyFamily) => Promise<unknown> {
  const { cache, mutate } = useSWRConfig();
  return (family) => Promise.all(cacheKeysOf(family, cache.keys()).map((key) => mutate(key)));
}

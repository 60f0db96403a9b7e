'use client';
import useSWR from 'swr';
import type {
  ApiAccountEvent,
  ApiFailedDelivery,
  ApiProcessingFailure,
  GetAccountEventsResponse,
  GetFailedDeliveriesResponse,
  GetProcessingFailureResponse,
  GetProcessingFailuresResponse,
  GetRejectionsResponse,
  PostDiscardResponse,
  PostRetryResponse,
} from '@/lib/contracts/error-log';
import { fetchJson, swrFetcher } from '@/app/_components/fetch-json';
import { usePollInterval } from '@/app/_components/use-live-updates';
import {
  accountEventsKey,
  failedDeliveriesKey,
  processingFailureKey,
  processingFailuresKey,
  processingDiscardUrl,
  processingRetryUrl,
  rejectionsKey,
  type FailedDeliveriesFilters,
} from './keys';
import { useCursorPages } from './use-cursor-pages';

// The error log's endpoints, one typed hook each.

const PAGE_SIZE = 25;

/** Rejected webhook requests in the last 24 hours; polled each minute even while live (the counts age). */
export function useRejections() {
  const pollInterval = usePollInterval();
  return useSWR<GetRejectionsResponse>(rejectionsKey(), swrFetcher, { refreshInterval: pollInterval || 60_000 });
}

/** Failed deliveries, newest first; null filters (an invalid one) load nothing. */
export function useFailedDeliveries(filters: FailedDeliveriesFilters | null) {
  return useCursorPages<GetFailedDeliveriesResponse, ApiFailedDelivery>(
    filters === null ? null : (cursor) => failedDeliveriesKey({ limit: PAGE_SIZE, ...filters, cursor }),
    (page) => page.failures,
    { keepPreviousData: true },
  );
}

export function useProcessingFailures() {
  return useCursorPages<GetProcessingFailuresResponse, ApiProcessingFailure>(
    (cursor) => processingFailuresKey({ limit: PAGE_SIZE, cursor }),
    (page) => page.failures,
  );
}

/** One failure with its raw body; null loads nothing. */
export function useProcessingFailure(id: string | null) {
  return useSWR<GetProcessingFailureResponse>(id === null ? null : processingFailureKey(id), swrFetcher, { revalidateOnFocus: false });
}

export function useAccountEvents() {
  return useCursorPages<GetAccountEventsResponse, ApiAccountEvent>(
    (cursor) => accountEventsKey({ limit: PAGE_SIZE, cursor }),
    (page) => page.events,
  );
}

export function discardProcessing(body: { ids: string[] } | { all: true }): Promise<PostDiscardResponse> {
  return fetchJson<PostDiscardResponse>(processingDiscardUrl(), { method: 'POST', body });
}

export function retryProcessing(body: { ids: string[] } | { all: true }): Promise<PostRetryResponse> {
  return fetchJson<PostRetryResponse>(processingRetryUrl(), { method: 'POST', body });
}

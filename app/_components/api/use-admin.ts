'use client';
import useSWR from 'swr';
import type { CreateApiKeyResponse, GetApiKeysResponse, GetUsersResponse, UserResponse } from '@/lib/contracts/admin';
import type { AnalyticsResponse } from '@/lib/contracts/analytics';
import { fetchJson, swrFetcher } from '@/app/_components/fetch-json';
import { usePollInterval } from '@/app/_components/use-live-updates';
import type { ApiLabel, CreateLabelBody, UpdateLabelBody } from '@/lib/contracts/labels';
import { adminLabelsUrl, analyticsKey, apiKeysKey, apiKeyUrl, labelUrl, userUrl, usersKey, type AnalyticsParams } from './keys';

// The admin pages' endpoints, one typed hook (or call) each.

export function useUsers() {
  return useSWR<GetUsersResponse>(usersKey(), swrFetcher);
}

export function createUser(body: { name: string; email: string; password: string; role: string }): Promise<UserResponse> {
  return fetchJson<UserResponse>(usersKey(), { method: 'POST', body });
}

export function updateUser(id: string, patch: Record<string, unknown>): Promise<UserResponse> {
  return fetchJson<UserResponse>(userUrl(id), { method: 'PATCH', body: patch });
}

export function useApiKeys() {
  return useSWR<GetApiKeysResponse>(apiKeysKey(), swrFetcher);
}

export function createApiKey(name: string): Promise<CreateApiKeyResponse> {
  return fetchJson<CreateApiKeyResponse>(apiKeysKey(), { method: 'POST', body: { name } });
}

export function revokeApiKey(id: string): Promise<unknown> {
  return fetchJson(apiKeyUrl(id), { method: 'DELETE' });
}

/** The analytics for a range; null (the browser's zone not known yet, a custom range not chosen) loads nothing. */
export function useAnalytics(params: AnalyticsParams | null) {
  return useSWR<AnalyticsResponse>(params === null ? null : analyticsKey(params), swrFetcher, {
    refreshInterval: usePollInterval(),
    keepPreviousData: true,
    // Back to a range seen a moment ago: its cached figures may predate a live change; fetch again.
    dedupingInterval: 0,
  });
}

export function createLabel(body: CreateLabelBody): Promise<ApiLabel> {
  return fetchJson<ApiLabel>(adminLabelsUrl(), { method: 'POST', body });
}

export function updateLabel(id: string, patch: UpdateLabelBody): Promise<ApiLabel> {
  return fetchJson<ApiLabel>(labelUrl(id), { method: 'PATCH', body: patch });
}

export function deleteLabel(id: string): Promise<unknown> {
  return fetchJson(labelUrl(id), { method: 'DELETE' });
}

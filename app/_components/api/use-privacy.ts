'use client';
import useSWR from 'swr';
import type { GetErasePreviewResponse, PostEraseResponse } from '@/lib/contracts/privacy';
import { fetchJson, swrFetcher } from '@/app/_components/fetch-json';
import { contactEraseUrl } from './keys';

// Erasing a customer: what it would delete (the dialog), and doing it. Exports are plain downloads (keys.ts).

/** The erase preview of a contact; null loads nothing (the dialog is closed). */
export function useErasePreview(contactId: string | null) {
  return useSWR<GetErasePreviewResponse>(contactId === null ? null : contactEraseUrl(contactId), swrFetcher, {
    revalidateOnFocus: false,
  });
}

export function eraseContact(contactId: string): Promise<PostEraseResponse> {
  return fetchJson<PostEraseResponse>(contactEraseUrl(contactId), { method: 'POST' });
}

'use client';
import useSWR from 'swr';
import type { GetMessageResponse } from '@/lib/contracts/inbox';
import type { PostMessageBody } from '@/lib/contracts/outbox';
import type { GetTemplatesResponse, PostTemplateSyncResponse } from '@/lib/contracts/templates';
import type { PostUploadResponse } from '@/lib/contracts/uploads';
import { ApiRequestError, fetchJson, loginUrl, swrFetcher } from '@/app/_components/fetch-json';
import { conversationSendUrl, conversationTypingUrl, messageRetryUrl, templateSyncUrl, templatesKey, uploadsUrl } from './keys';

// The send side's endpoints, one typed call each: write a message, send one again, typing, uploads, templates.

/** POST /api/conversations/{id}/messages: 202 with the message as the read API shows it (status pending). */
export function postMessage(conversationId: string, body: PostMessageBody): Promise<GetMessageResponse> {
  return fetchJson<GetMessageResponse>(conversationSendUrl(conversationId), { method: 'POST', body });
}

/** POST /api/messages/{id}/retry: a failed or unconfirmed message back in the outbox. */
export function retryMessage(messageId: string): Promise<GetMessageResponse> {
  return fetchJson<GetMessageResponse>(messageRetryUrl(messageId), { method: 'POST' });
}

/** POST /api/admin/templates/sync (admins): 202 once asked; the sync runs in the background. */
export function requestTemplateSync(): Promise<PostTemplateSyncResponse> {
  return fetchJson<PostTemplateSyncResponse>(templateSyncUrl(), { method: 'POST' });
}

/** POST /api/conversations/{id}/typing (204; the server throttles too). */
export async function postTyping(conversationId: string): Promise<void> {
  await fetch(conversationTypingUrl(conversationId), { method: 'POST', cache: 'no-store' });
}

/**
 * POST /api/uploads (multipart `file`, optional `kind`), with upload progress (0…1). fetch cannot report
 * an upload's progress, XMLHttpRequest can. Errors are ApiRequestErrors with the server's reason.
 */
export function uploadFile(
  file: File,
  options: { kind?: string; onProgress?: (fraction: number) => void; signal?: AbortSignal } = {},
): Promise<PostUploadResponse> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append('file', file, file.name);
    if (options.kind) form.append('kind', options.kind);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', uploadsUrl());
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status === 401) window.location.assign(loginUrl());
      const body = xhr.response as { error?: { message?: unknown } } | null;
      if (xhr.status >= 200 && xhr.status < 300 && body) return resolve(body as PostUploadResponse);
      const message = typeof body?.error?.message === 'string' ? body.error.message : `The server answered ${xhr.status}.`;
      reject(new ApiRequestError(xhr.status, message));
    };
    xhr.onerror = () => reject(new ApiRequestError(0, 'Cannot reach the server. Check your connection.'));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

/** The APPROVED templates of a business number (the template picker); null loads nothing. `pollMs` while a sync runs. */
export function useApprovedTemplates(businessPhoneNumberId: string | null, pollMs = 0) {
  return useSWR<GetTemplatesResponse>(
    businessPhoneNumberId === null ? null : templatesKey({ businessPhoneNumberId, status: 'APPROVED' }),
    swrFetcher,
    { revalidateOnFocus: false, refreshInterval: pollMs },
  );
}

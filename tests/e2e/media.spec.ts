import { randomInt } from 'node:crypto';
import type { Page } from '@playwright/test';
import { E2E_MEDIA } from './shared';
import { type Customer, deliver, expect, inboundOfType, readApi, test, uniqueCustomer, waitForProcessed } from './helpers';

// Media in the thread: the server downloads files from the fake Graph API the global setup started
// (E2E_MEDIA), serves them at /api/media/{wamid}, and the thread shows them: an image that opens full
// size, an audio player that really plays, a document card, and a failed download with its reason.

const bubble = (page: Page, wamid: string) => page.locator(`[data-testid="message"][data-wamid="${wamid}"]`);

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Waits until the message's file is in this state (the downloader works in the background). */
async function waitForFile(wamid: string, state: 'downloaded' | 'failed'): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20_000;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const response = await readApi(`/api/messages/${encodeURIComponent(wamid)}`);
    if (response.ok) {
      const file = ((await response.json()) as { mediaFile: Record<string, unknown> | null }).mediaFile;
      if (file?.state === state) return file;
      last = JSON.stringify(file);
    } else {
      last = `${response.status}`;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the file of ${wamid} is not ${state}: ${last}`);
}

/** An inbound media message whose media id is `mediaId` (one of E2E_MEDIA's, or one the fake does not know). */
function mediaMessage(
  type: 'image' | 'audio' | 'document',
  mediaId: string,
  customer: Customer,
  content: Record<string, unknown>,
  timestamp: number,
) {
  return inboundOfType(
    type,
    { [type]: { id: mediaId, sha256: 'q3Zk0bC1m8hY2v3fJ6k7sQ9uX1Zr5aT8wE4yP0oL2nM=', ...content } },
    { customer, timestamp },
  );
}

test.describe('as an admin', () => {
  test.use({ role: 'admin' });

  test('shows an image and plays audio from a downloaded file', async ({ page }) => {
    const customer = uniqueCustomer('Mira');
    const at = nowSeconds() - 10;
    const image = mediaMessage(
      'image',
      E2E_MEDIA.image.id,
      customer,
      { mime_type: E2E_MEDIA.image.mimeType, caption: 'The dented corner' },
      at,
    );
    const audio = mediaMessage('audio', E2E_MEDIA.audio.id, customer, { mime_type: E2E_MEDIA.audio.mimeType, voice: true }, at + 1);
    await deliver(image.body);
    await deliver(audio.body);
    const { conversationId } = await waitForProcessed(audio.wamid);

    await page.goto(`/conversations/${conversationId}`);
    // Pending first or downloaded already: the change notice refreshes the open thread either way.
    const img = bubble(page, image.wamid).getByRole('img', { name: 'The dented corner' });
    await expect(img).toBeVisible({ timeout: 20_000 });
    await expect(bubble(page, image.wamid)).toContainText('The dented corner');
    // Really loaded and decoded: the PNG's own size.
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(E2E_MEDIA.image.width);
    expect(await img.evaluate((el) => (el as HTMLImageElement).naturalHeight)).toBe(E2E_MEDIA.image.height);

    // Opens full size in a new tab: the file itself, served inline.
    const link = bubble(page, image.wamid).getByRole('link', { name: /Open the image full size/ });
    await expect(link).toHaveAttribute('href', `/api/media/${encodeURIComponent(image.wamid)}`);
    const [popup] = await Promise.all([page.waitForEvent('popup'), link.click()]);
    await popup.waitForLoadState();
    expect(await popup.evaluate(() => document.contentType)).toBe('image/png');
    await popup.close();

    // The voice note: a player that plays the file (muted: no user gesture in a test).
    const player = bubble(page, audio.wamid).getByLabel('Voice message from');
    await expect(player).toBeVisible({ timeout: 20_000 });
    await expect(player).toHaveAttribute('src', `/api/media/${encodeURIComponent(audio.wamid)}`);
    await player.evaluate((el) => {
      const a = el as HTMLAudioElement;
      a.muted = true;
      return a.play();
    });
    await expect.poll(() => player.evaluate((el) => (el as HTMLAudioElement).currentTime), { timeout: 10_000 }).toBeGreaterThan(0);
    const duration = await player.evaluate((el) => (el as HTMLAudioElement).duration);
    expect(duration).toBeCloseTo(E2E_MEDIA.audio.seconds, 1);
  });

  test('a document is a card with its name, type and size, and downloads', async ({ page }) => {
    const customer = uniqueCustomer('Doc');
    const doc = mediaMessage(
      'document',
      E2E_MEDIA.document.id,
      customer,
      { mime_type: E2E_MEDIA.document.mimeType, filename: 'delivery-note.pdf' },
      nowSeconds(),
    );
    await deliver(doc.body);
    const { conversationId } = await waitForProcessed(doc.wamid);
    const file = await waitForFile(doc.wamid, 'downloaded');

    await page.goto(`/conversations/${conversationId}`);
    const card = bubble(page, doc.wamid).getByTestId('media-document');
    await expect(card).toContainText('delivery-note.pdf');
    await expect(card).toContainText(`PDF · ${String(file.size)} bytes`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('link', { name: 'Download delivery-note.pdf' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('delivery-note.pdf');
  });

  test('an audio file the browser cannot play says so, and still downloads', async ({ page }) => {
    const customer = uniqueCustomer('Dana');
    const damaged = mediaMessage(
      'audio',
      E2E_MEDIA.damagedAudio.id,
      customer,
      { mime_type: E2E_MEDIA.damagedAudio.mimeType, voice: true },
      nowSeconds(),
    );
    await deliver(damaged.body);
    const { conversationId } = await waitForProcessed(damaged.wamid);
    await waitForFile(damaged.wamid, 'downloaded');

    await page.goto(`/conversations/${conversationId}`);
    const card = bubble(page, damaged.wamid).getByTestId('media-unplayable');
    await expect(card).toContainText('This browser cannot play this file');
    await expect(bubble(page, damaged.wamid).getByTestId('media-audio')).toHaveCount(0);
    const link = card.getByRole('link', { name: /Download the voice message/ });
    await expect(link).toHaveAttribute('href', `/api/media/${encodeURIComponent(damaged.wamid)}`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/\.ogg$/);
  });

  test('a failed download says why, and an admin can retry it', async ({ page }) => {
    const customer = uniqueCustomer('Fay');
    const lost = mediaMessage(
      'image',
      `e2e-unknown-${randomInt(10 ** 9)}`,
      customer,
      { mime_type: 'image/jpeg', caption: 'Gone already' },
      nowSeconds(),
    );
    await deliver(lost.body);
    const { conversationId } = await waitForProcessed(lost.wamid);
    await waitForFile(lost.wamid, 'failed');

    await page.goto(`/conversations/${conversationId}`);
    const failed = bubble(page, lost.wamid).getByTestId('media-failed');
    await expect(failed).toContainText('The link expired before it could be downloaded');
    await expect(bubble(page, lost.wamid)).toContainText('Gone already');
    const retried = page.waitForResponse(
      (r) => r.url().endsWith(`/api/media/${encodeURIComponent(lost.wamid)}/retry`) && r.request().method() === 'POST',
    );
    await failed.getByRole('button', { name: 'Retry download' }).click();
    expect((await retried).status()).toBe(202);
    // The next attempt fails the same way (the file is gone for good): the thread says so, and as a new
    // failure it offers Retry again at once (the "Retrying…" status in between may be too brief to see).
    await waitForFile(lost.wamid, 'failed');
    await expect(failed).toContainText('The link expired before it could be downloaded');
    await expect(failed.getByRole('button', { name: 'Retry download' })).toBeVisible({ timeout: 10_000 });
  });
});

test.describe('as an agent', () => {
  test.use({ role: 'agent' });

  test('a failed download says why, without a retry button', async ({ page }) => {
    const customer = uniqueCustomer('Gil');
    const lost = mediaMessage(
      'audio',
      `e2e-unknown-${randomInt(10 ** 9)}`,
      customer,
      { mime_type: 'audio/ogg', voice: true },
      nowSeconds(),
    );
    await deliver(lost.body);
    const { conversationId } = await waitForProcessed(lost.wamid);
    await waitForFile(lost.wamid, 'failed');

    await page.goto(`/conversations/${conversationId}`);
    const failed = bubble(page, lost.wamid).getByTestId('media-failed');
    await expect(failed).toContainText('Voice message');
    await expect(failed).toContainText('The link expired before it could be downloaded');
    await expect(failed.getByRole('button')).toHaveCount(0);
  });
});

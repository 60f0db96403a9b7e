import {
  REENGAGEMENT_ERROR,
  deliver,
  expect,
  newCustomerNumber,
  newWamid,
  statusUpdate,
  test,
  waitForProcessed,
  type DeliveryStatus,
  uniqueBusinessNumber,
} from './helpers';

// The analytics page: an admin sees the failed deliveries of a business number (its own number here,
// since every spec shares the server's database) add up, in every range, and live.

const nowSeconds = () => Math.floor(Date.now() / 1000);
const isEvents = (url: string) => new URL(url).pathname === '/api/events';

const ERROR_131026 = { code: 131026, title: 'Message undeliverable', message: 'Message undeliverable' };
const ERROR_130429 = { code: 130429, title: 'Rate limit hit', message: 'Rate limit hit' };

test.describe('analytics', () => {
  test.use({ role: 'admin' });

  test('an admin sees the failure totals of a business number, in every range, and live', async ({ page }) => {
    const number = uniqueBusinessNumber();
    const at = nowSeconds() - 60;
    // Five messages sent from this number: two delivered, two failed outside the 24-hour window, one undeliverable.
    const send = async (status: DeliveryStatus, errors?: (typeof REENGAGEMENT_ERROR)[]) => {
      const recipient = newCustomerNumber();
      const wamid = newWamid(recipient);
      await deliver(statusUpdate(wamid, 'sent', { recipient, from: number, timestamp: at }));
      if (status !== 'sent') await deliver(statusUpdate(wamid, status, { recipient, from: number, timestamp: at + 5, errors }));
      return wamid;
    };
    const wamids = [
      [await send('delivered'), 'delivered'],
      [await send('delivered'), 'delivered'],
      [await send('failed', [REENGAGEMENT_ERROR]), 'failed'],
      [await send('failed', [REENGAGEMENT_ERROR]), 'failed'],
      [await send('failed', [ERROR_131026]), 'failed'],
    ] as const;
    for (const [wamid, status] of wamids) await waitForProcessed(wamid, { status });

    const stream = page.waitForResponse((r) => isEvents(r.url()) && r.status() === 200);
    await page.goto('/admin/analytics');
    await stream;
    await expect(page.getByRole('heading', { name: 'Analytics', level: 1 })).toBeVisible();
    const select = page.getByLabel('Business number');
    await expect(select.locator(`option[value="${number.phoneNumberId}"]`)).toBeAttached();
    await select.selectOption(number.phoneNumberId);

    const totals = page.getByTestId('failure-totals');
    const failureSection = page.getByRole('region', { name: 'Failed deliveries' });
    const bucketRows = page.getByTestId('failure-table').locator('tbody tr');
    const topErrors = page.getByTestId('top-errors');
    const expectTotals = async (failed: number, sent: number, buckets: RegExp, rows: number) => {
      await expect(totals).toHaveText(`${failed} failed of ${sent} sent (${((failed / sent) * 100).toFixed(1)}% failure rate)`);
      await expect(failureSection).toContainText(buckets);
      await expect(bucketRows).toHaveCount(rows);
    };

    // 24 hours, hourly.
    await expect(page.getByRole('button', { name: '24 hours' })).toHaveAttribute('aria-pressed', 'true');
    await expectTotals(3, 5, /24 hourly buckets/, 24);
    await expect(page.getByRole('img', { name: /Failed deliveries per hour, stacked by error code/ })).toBeVisible();
    const cells = (code: number) => topErrors.locator(`tr[data-code="${code}"] td`);
    await expect(cells(131047).nth(1)).toHaveText('2');
    await expect(cells(131047).nth(2)).toHaveText('66.7%');
    await expect(topErrors.locator('tr[data-code="131047"]')).toContainText('24-hour customer service window');
    await expect(cells(131026).nth(1)).toHaveText('1');
    await expect(cells(131026).nth(2)).toHaveText('33.3%');
    await expect(page.getByTestId('funnel')).toContainText('Delivered');
    await expect(page.getByRole('region', { name: 'Webhook health' })).toContainText('All numbers');

    // 7 days and 30 days, daily: the same totals, other buckets.
    await page.getByRole('button', { name: '7 days' }).click();
    await expectTotals(3, 5, /7 daily buckets/, 7);
    await page.getByRole('button', { name: '30 days' }).click();
    await expectTotals(3, 5, /30 daily buckets/, 30);
    await expect(cells(131047).nth(2)).toHaveText('66.7%');

    // Live: one more failure shows up without a reload.
    await send('failed', [ERROR_130429]);
    await expectTotals(4, 6, /30 daily buckets/, 30);
    await expect(cells(130429).nth(2)).toHaveText('25.0%');
    await expect(cells(131047).nth(2)).toHaveText('50.0%');

    // Back to 24 hours.
    await page.getByRole('button', { name: '24 hours' }).click();
    await expectTotals(4, 6, /24 hourly buckets/, 24);
  });
});

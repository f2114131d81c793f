import { expect, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

// A check pays a past-due invoice in full, then bounces: voiding it puts the invoice back to
// Past due with its whole balance, and both the Payments list and the timeline say why.
test('a bounced check is voided and its invoice is past due again', async ({ page }) => {
  await signIn(page, DEMO.billing);
  await page.goto('/accounting/invoices?tab=past_due');
  const row = page.locator('tbody tr').first();
  await expect(row).toBeVisible();
  const number = (await row.locator('th, td').first().textContent())!.trim();
  await row.getByRole('link', { name: number, exact: true }).click();
  await hydrated(page);
  const title = page.getByRole('heading', { level: 1 });
  await expect(title).toContainText(number);
  await expect(title).toContainText('Past due');

  await page.getByRole('link', { name: 'Record payment' }).click();
  await hydrated(page);
  await page.getByLabel('Reference').fill('CHK-5521');
  await page.getByRole('button', { name: 'Record payment' }).click();
  await expect(title).toContainText(number);
  await expect(title).toContainText('Paid');

  // The invoice may already have had a part payment; ours is the check.
  const check = page.getByRole('region', { name: 'Payments' }).locator('li').filter({ hasText: 'CHK-5521' });
  await check.getByText('Void…').click();
  await check.getByLabel('Why is this payment voided?').fill('Check returned unpaid (NSF)');
  await check.getByRole('button', { name: 'Void payment' }).click();
  await expect(title).toContainText('Past due');
  const voided = page.getByRole('region', { name: 'Payments' }).locator('li').filter({ hasText: 'CHK-5521' });
  await expect(voided.getByText('Voided', { exact: true })).toBeVisible();
  await expect(voided.getByText('Check returned unpaid (NSF)')).toBeVisible();
  await screenshot(page, 'payment-voided');

  await page.reload();
  await hydrated(page);
  await expect(title).toContainText('Past due');
  await expect(page.locator('.timeline')).toContainText('voided: Check returned unpaid (NSF)');

  await page.goto('/accounting/payments');
  const listed = page.locator('tbody tr').filter({ hasText: 'CHK-5521' });
  await expect(listed).toContainText('Voided');
  await expect(listed).toHaveClass(/voided/);
});

test('a void without a reason is refused at the field', async ({ page }) => {
  await signIn(page, DEMO.billing);
  await page.goto('/accounting/payments');
  await hydrated(page);
  const open = page.locator('tbody tr').filter({ has: page.getByText('Void…') }).first();
  await open.getByText('Void…').click();
  // `required` stops an empty form in the browser; spaces get past it and the server says why.
  await open.getByLabel('Why is this payment voided?').fill('   ');
  await open.getByRole('button', { name: 'Void payment' }).click();
  await expect(open.getByRole('alert')).toContainText('Say why the payment is voided');
  await expect(open).not.toHaveClass(/voided/);
});

// Manual billing sent in bulk: two unpaid invoices chosen on the Invoices list go out through
// the outbox, each once, and each invoice's page shows its delivery.
test('Email selected on the Invoices list sends each chosen invoice once', async ({ page }) => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const mailDir = process.env.PRESSRUN_E2E_MAIL_DIR!;
  const subjects = () =>
    readdirSync(mailDir)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => readFileSync(join(mailDir, f), 'utf8').match(/^Subject: (.*)$/m)?.[1] ?? '');

  await signIn(page, DEMO.billing);
  await page.goto('/accounting/invoices?tab=unpaid&sort=due_date&dir=desc');
  await hydrated(page);
  const boxes = page.locator('tbody tr').getByRole('checkbox');
  await expect(boxes.first()).toBeVisible();
  // The two demo advertisers without an invoice recipient cannot be emailed; leave them out.
  const reachable = page
    .locator('tbody tr')
    .filter({ has: page.getByRole('checkbox') })
    .filter({ hasNotText: /Valley Credit Union|Lindqvist Law Office/ });
  const numbers: string[] = [];
  for (const i of [0, 1]) {
    const row = reachable.nth(i);
    numbers.push((await row.locator('th').textContent())!.trim());
    await row.getByRole('checkbox').check();
  }
  const before = numbers.map((n) => subjects().filter((s) => s.includes(n)).length);
  const bulk = page.getByRole('group', { name: 'Selected invoices' });
  await expect(bulk).toContainText('2 selected');
  await bulk.getByRole('button', { name: 'Email selected' }).click();
  await expect(bulk.getByRole('status')).toContainText('2 invoice emails queued');
  await screenshot(page, 'invoices-email-selected');
  for (const [i, n] of numbers.entries()) {
    await expect.poll(() => subjects().filter((s) => s.includes(n)).length, { timeout: 30_000 }).toBe(before[i] + 1);
  }
});

// A check is recorded while the client is on the card page: the card payment that follows
// becomes account credit, and staff see it under Payment exceptions until they resolve it.
test('money paid online for an invoice settled meanwhile waits under Payment exceptions', async ({ page, browser }) => {
  await signIn(page, DEMO.billing);
  await page.goto('/accounting/invoices?tab=sent&sort=due_date&dir=desc');
  await hydrated(page);
  const row = page.locator('tbody tr').first();
  const number = (await row.locator('th').textContent())!.trim();
  await row.getByRole('link', { name: number, exact: true }).click();
  await hydrated(page);
  const links = page.getByRole('region', { name: 'Client links' });
  await links.getByRole('button', { name: 'New Pay Online link' }).click();
  const link = await links.getByLabel('New client link').inputValue();

  const client = await (await browser.newContext()).newPage();
  await client.goto(link);
  await client.getByRole('button', { name: 'Pay Online' }).click();
  await expect(client.getByText('Test payments: no card is charged')).toBeVisible();

  // Meanwhile the client's check arrives and is recorded in full.
  await page.getByRole('link', { name: 'Record payment' }).click();
  await hydrated(page);
  await page.getByLabel('Reference').fill('CHK-7781');
  await page.getByRole('button', { name: 'Record payment' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Paid');

  await client.getByLabel('Card number').fill('4242 4242 4242 4242');
  await client.getByLabel('Expiry (MM/YY)').fill('12/30');
  await client.getByLabel('CVC').fill('123');
  await client.getByRole('button', { name: /^Pay / }).click();
  await expect(client.getByRole('heading', { name: 'Paid — thank you' })).toBeVisible();

  await page.goto('/accounting/payments');
  await hydrated(page);
  const exceptions = page.getByRole('region', { name: /Payment exceptions/ });
  const item = exceptions.locator('li').filter({ hasText: number });
  await expect(item).toContainText('Paid after the invoice was settled');
  await expect(item).toContainText('account credit');
  await screenshot(page, 'payment-exceptions');
  await item.getByRole('button', { name: 'Mark resolved' }).click();
  await expect(page.locator('.exceptions li').filter({ hasText: number })).toHaveCount(0);
});

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

const mailDir = process.env.PRESSRUN_E2E_MAIL_DIR!;

function received(): string[] {
  return readdirSync(mailDir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => readFileSync(join(mailDir, f), 'utf8'));
}

test('auto-invoicing on: a tick emails the invoice through SMTP and marks it Sent', async ({ page }) => {
  await signIn(page, DEMO.admin, '/automation/accounting');
  await hydrated(page);
  await expect(page.getByRole('status').filter({ hasText: 'Sending through 127.0.0.1' })).toBeVisible();
  await page.getByLabel('Generate and email it').check();
  await page.getByLabel('Automatically, as soon as generated').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Automation settings saved.')).toBeVisible();

  // Legal Notice is not auto-invoiced in the demo; switch it on.
  await page.goto('/rules');
  await hydrated(page);
  const row = page.getByRole('region', { name: 'Billing rule for Legal Notice' });
  await row.getByLabel('Auto-invoice').check();
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row.getByRole('status')).toHaveText(/Saved/);

  const before = received().length;
  // The tick a cron job would run; it also delivers what it queued before it exits.
  const out = execFileSync(process.env.PRESSRUN_BIN!, ['tick'], { encoding: 'utf8' });
  expect(out).toMatch(/[1-9]\d* invoice\(s\) created/);
  const mail = received();
  expect(mail.length).toBeGreaterThan(before);
  const first = mail[mail.length - 1];
  expect(first).toContain('Content-Type: application/pdf');
  const number = first.match(/^Subject: Invoice (INV-\d{4}-\d{5})/m)![1];
  expect(first).toMatch(/^Message-ID: <[0-9a-f]{32}@pressrun\.mail>/m);

  await page.goto('/accounting/invoices?tab=sent');
  await expect(page.getByRole('row', { name: new RegExp(number) })).toBeVisible();
  await page.getByRole('link', { name: number }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Sent');
  const email = page.getByRole('region', { name: 'Email' });
  await expect(email.locator('.badge-done')).toBeVisible();
  await expect(email).toContainText('delivered: 250');
  await screenshot(page, 'invoice-sent');

  await page.goto('/automation/accounting');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: /Email failures/ })).toBeVisible();
  await screenshot(page, 'automation-accounting');
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

test('a draft is edited and finalised, then downloaded as PDF and viewed as HTML', async ({ page }) => {
  await signIn(page, DEMO.billing, '/accounting/billable-line-items');
  await hydrated(page);
  const rows = page.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  await rows.nth(0).getByRole('checkbox').check();
  await page.getByLabel('Create as drafts').check();
  await page.getByRole('button', { name: 'Invoice Selected' }).click();
  const created = page.getByRole('status').filter({ hasText: 'Created 1 invoice.' });
  await expect(created).toBeVisible();
  const draftLink = created.getByRole('link', { name: 'Draft' });
  await expect(draftLink).toBeVisible();
  await draftLink.click();

  await expect(page.getByRole('heading', { level: 1 })).toContainText('Draft invoice');
  await hydrated(page);
  const line = page.locator('fieldset.draft-line').first();
  await line.getByLabel('Description').fill('Edited in the browser <b>not bold</b>');
  await line.getByLabel('Quantity').fill('abc');
  await line.getByRole('button', { name: 'Save line' }).click();
  await expect(line.locator('.field-error').filter({ hasText: /not an amount/ })).toBeVisible();
  await expect(line.getByLabel('Quantity')).toHaveAttribute('aria-invalid', 'true');
  await line.getByLabel('Quantity').fill('3');
  await line.getByRole('button', { name: 'Save line' }).click();
  await expect(page.locator('.timeline')).toContainText('Edited');
  await expect(page.getByRole('rowheader').first()).toContainText('Edited in the browser <b>not bold</b>');
  await screenshot(page, 'invoice-draft');

  await page.getByRole('button', { name: 'Finalise' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/Invoice INV-\d{4}-\d{5}/);
  const number = ((await page.getByRole('heading', { level: 1 }).innerText()).match(/INV-\d{4}-\d{5}/) ?? [''])[0];
  await expect(page.getByRole('button', { name: 'Finalise' })).toHaveCount(0);
  await screenshot(page, 'invoice-with-documents');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download PDF' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`${number}.pdf`);
  const dir = mkdtempSync(join(tmpdir(), 'pressrun-pdf-'));
  try {
    const file = join(dir, 'invoice.pdf');
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 4).toString()).toBe('%PDF');
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    expect(text).toContain(number);
    expect(text).toContain('Edited in the browser <b>not bold</b>');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, 'screenshots/invoice-pdf-page1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  await page.getByRole('link', { name: 'View as HTML' }).click();
  await expect(page).toHaveURL(/\/accounting\/invoices\/\d+\/html$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Invoice' })).toBeVisible();
  await expect(page.getByText(number).first()).toBeVisible();
  await expect(page.getByText('Edited in the browser <b>not bold</b>')).toBeVisible();
  await screenshot(page, 'invoice-html');
});

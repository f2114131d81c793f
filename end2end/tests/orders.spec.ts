import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

test('billing staff create an order, invoice it from Billable Line Items, find it under Unpaid and download its PDF', async ({ page }) => {
  await signIn(page, DEMO.billing, '/orders');
  await hydrated(page);
  await page.getByRole('link', { name: 'New order' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New order');

  await page.getByLabel('Account', { exact: true }).fill('Riverside');
  await page.getByRole('button', { name: /^Riverside Dental/ }).click();
  await expect(page.locator('#account-picked')).toContainText('Riverside Dental');
  await page.getByLabel('Order number').fill('E2E-ORDER-1');
  await page.getByLabel('Status', { exact: true }).selectOption('confirmed');

  // "Classified Line Ad" bills immediately, so a confirmed order's line items are billable now.
  await page.getByLabel('Product, line 1').selectOption({ label: 'Classified Line Ad (CL-LN)' });
  await expect(page.getByLabel('Unit price, line 1')).not.toHaveValue('');
  await page.getByLabel('Description, line 1').fill('E2E classified week 1');
  await page.getByLabel('Quantity, line 1').fill('3');
  await page.getByLabel('Unit price, line 1').fill('40');
  await page.getByLabel('Discount, line 1').fill('5');
  const rows = page.locator('table.line-items tbody tr');
  await expect(rows.nth(0).locator('.line-amount')).toHaveText('$115.00');

  await page.getByRole('button', { name: 'Add line item' }).click();
  await page.getByLabel('Product, line 2').selectOption({ label: 'Classified Line Ad (CL-LN)' });
  await page.getByLabel('Description, line 2').fill('E2E classified week 2');
  await page.getByLabel('Quantity, line 2').fill('two');
  await page.getByLabel('Unit price, line 2').fill('40');
  await expect(page.locator('.order-total')).toHaveText('$115.00');

  // The server names the exact field of the exact row; what was typed stays.
  await page.getByRole('button', { name: 'Save order' }).click();
  const quantity2 = page.getByLabel('Quantity, line 2');
  await expect(quantity2).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText("'two' is not a number.")).toBeVisible();
  await expect(page.getByLabel('Description, line 1')).toHaveValue('E2E classified week 1');
  await screenshot(page, 'order-editor-error');

  await quantity2.fill('2');
  await expect(rows.nth(1).locator('.line-amount')).toHaveText('$80.00');
  await expect(page.locator('.order-total')).toHaveText('$195.00');
  await page.getByRole('button', { name: 'Save order' }).click();
  await expect(page).toHaveURL(/\/orders\/\d+\?saved=1/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Order E2E-ORDER-1');
  await expect(page.getByText('Order saved.')).toBeVisible();
  await expect(page.locator('.order-total')).toHaveText('$195.00');
  await screenshot(page, 'order-editor');

  await page.goto('/accounting/billable-line-items');
  await hydrated(page);
  await page.getByLabel('Account', { exact: true }).selectOption({ label: 'Riverside Dental' });
  await page.getByLabel('Product', { exact: true }).selectOption({ label: 'Classified Line Ad' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/account=\d+/);
  for (const week of ['E2E classified week 1', 'E2E classified week 2']) {
    await expect(page.locator('tbody tr').filter({ hasText: week })).toHaveCount(1);
  }
  await screenshot(page, 'order-in-billable-line-items');

  // Invoice exactly this order's two line items: one invoice for Riverside Dental.
  for (const week of ['E2E classified week 1', 'E2E classified week 2']) {
    await page.locator('tbody tr').filter({ hasText: week }).getByRole('checkbox').check();
  }
  await expect(page.getByText('2 selected')).toBeVisible();
  await page.getByRole('button', { name: 'Invoice Selected' }).click();
  const created = page.getByRole('status').filter({ hasText: 'Created 1 invoice.' });
  await expect(created).toBeVisible();
  const number = (await created.getByRole('link').first().innerText()).trim();
  expect(number).toMatch(/^INV-\d{4}-\d{5}$/);

  await page.goto('/accounting/invoices?tab=unpaid');
  const row = page.getByRole('row', { name: new RegExp(number) });
  await expect(row).toContainText('Riverside Dental');
  await expect(row).toContainText('$195.00');
  await row.getByRole('link', { name: number }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Invoice ${number}`);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download PDF' }).click(),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'pressrun-order-pdf-'));
  try {
    const file = join(dir, `${number}.pdf`);
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    expect(text).toContain(number);
    expect(text).toContain('E2E classified week 2');
    expect(text).toContain('$195.00');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const HEADER = 'order_number,account,ordered_on,status,product,run_date,description,quantity,unit_price,discount';
const ROW_1 = 'E2E-IMP-1,Riverside Dental,2026-11-24,confirmed,CL-LN,2026-12-01,Imported classified,2,,';
const ROW_2 = (runDate: string) => `E2E-IMP-2,Riverside Dental,2026-11-24,draft,CL-LN,${runDate},"Obit, family notice",1,55.00,0`;

function csv(rows: string[]) {
  return { name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from([HEADER, ...rows].join('\n') + '\n') };
}

test('importing a CSV: the dry run names the bad row, the fixed file imports once', async ({ page }) => {
  await signIn(page, DEMO.billing, '/orders');
  await hydrated(page);
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Import orders');
  await expect(page.getByRole('link', { name: 'Download the template' })).toHaveAttribute('href', /^data:text\/csv/);

  const file = page.getByLabel('CSV file');
  await file.setInputFiles(csv([ROW_1, ROW_2('2026-13-01')]));
  await expect(page.getByText("line 3, run_date: '2026-13-01' is not a date (YYYY-MM-DD)")).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Nothing was imported' })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Import \d/ })).toHaveCount(0);
  await screenshot(page, 'order-import-problems');

  await file.setInputFiles(csv([ROW_1, ROW_2('2026-12-13')]));
  await expect(page.getByText(/orders\.csv is ready: 2 rows → 2 orders, 2 line items/)).toBeVisible();
  await expect(page.getByRole('row', { name: /E2E-IMP-2/ })).toContainText('$55.00');
  await screenshot(page, 'order-import-ready');
  await page.getByRole('button', { name: 'Import 2 orders' }).click();
  await expect(page.getByText(/Imported orders\.csv: 2 rows → 2 orders/)).toBeVisible();
  await screenshot(page, 'order-import-done');

  // The same file again is refused, not duplicated.
  await file.setInputFiles(csv([ROW_1, ROW_2('2026-12-13')]));
  await expect(page.getByText("line 2, order_number: order 'E2E-IMP-1' already exists")).toBeVisible();

  await page.goto('/orders?q=E2E-IMP');
  await expect(page.locator('tbody tr')).toHaveCount(2);
});

import { expect, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

test('billing staff invoice selected line items and find the invoice under Unpaid', async ({ page }) => {
  await signIn(page, DEMO.billing, '/accounting/billable-line-items');
  await hydrated(page);
  await expect(page.getByRole('link', { name: /Billable now/ })).toHaveAttribute('aria-current', 'page');
  await screenshot(page, 'billable-line-items-now');

  // Narrow to one account, then pick its first two rows.
  const rows = page.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  const account = (await rows.first().locator('th').innerText()).split(' → ')[0].trim();
  await page.getByLabel('Account', { exact: true }).selectOption({ label: account });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/account=\d+/);
  await expect(rows.first().locator('th')).toContainText(account);

  await rows.nth(0).getByRole('checkbox').check();
  const count = await rows.count();
  if (count > 1) await rows.nth(1).getByRole('checkbox').check();
  await expect(page.getByText(`${Math.min(count, 2)} selected`)).toBeVisible();
  await page.getByRole('button', { name: 'Invoice Selected' }).click();

  const created = page.getByRole('status').filter({ hasText: 'Created 1 invoice.' });
  await expect(created).toBeVisible();
  await screenshot(page, 'billable-line-items-invoiced');
  const link = created.getByRole('link').first();
  const number = (await link.innerText()).trim();
  expect(number).toMatch(/^INV-\d{4}-\d{5}$/);

  await link.click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Invoice ${number}`);
  await expect(page.getByText('Balance due')).toBeVisible();
  await expect(page.locator('.timeline')).toContainText(DEMO.billing.name);
  await screenshot(page, 'invoice');

  await page.getByRole('link', { name: 'Invoices', exact: true }).first().click();
  await page.getByRole('link', { name: /^Unpaid/ }).click();
  await expect(page).toHaveURL(/tab=unpaid/);
  await expect(page.getByRole('row', { name: new RegExp(number) })).toBeVisible();
  await screenshot(page, 'invoices-unpaid');
});

test('voiding an invoice holds its line items until they are released', async ({ page }) => {
  await signIn(page, DEMO.billing, '/accounting/invoices?tab=unpaid');
  // The demo history has part-paid invoices, which cannot be voided.
  const first = page.locator('tbody tr').filter({ hasNotText: /Partially paid/i }).first().getByRole('link');
  const number = (await first.innerText()).trim();
  await first.click();
  await hydrated(page);
  await page.getByLabel('Reason').fill('Booked twice');
  await expect(page.getByLabel(/Hold them/)).toBeChecked();
  await page.getByRole('button', { name: 'Void invoice' }).click();
  await expect(page.getByText('Void: Booked twice')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(number);
  const held = page.locator('#held-line-items');
  await expect(held).toContainText('held');
  await screenshot(page, 'invoice-void-held');
  await held.getByRole('button', { name: 'Release for billing' }).click();
  await expect(held).toBeHidden();
  await expect(page.getByText('Line items released for billing')).toBeVisible();
  await page.goto('/accounting/invoices?tab=void');
  await expect(page.getByRole('row', { name: new RegExp(number) })).toBeVisible();
});

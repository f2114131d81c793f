import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

// The billing team's morning: the dashboard says what is owed and past due, the aging lists who
// owes it by age, an account opens to its invoices, and the view downloads as CSV.
test('aging lists open balances by age, drills down and downloads', async ({ page }) => {
  await signIn(page, DEMO.viewer);
  const collections = page.getByRole('link', { name: /Outstanding/ });
  await expect(collections).toBeVisible();
  await expect(page.getByRole('img', { name: /Invoiced and collected per month for 12 months/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /Past due at each month's end/ })).toBeVisible();
  await screenshot(page, 'dashboard-collections');

  await collections.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Aging' })).toBeVisible();
  await hydrated(page);
  const table = page.getByRole('table', { name: 'Open balance per account by days past due' });
  await expect(table.locator('tbody tr').first()).toBeVisible();
  await expect(page.getByRole('img', { name: /Open balance by days past due: Current/ })).toBeVisible();

  // Months on, the same money is older.
  await page.getByLabel('As of').fill('2027-06-30');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/as_of=2027-06-30/);
  await expect(page.locator('.lede')).toContainText('open on Jun 30, 2027');

  const first = table.locator('tbody tr').first();
  const account = (await first.locator('th a').textContent())!.trim();
  await first.locator('th a').click();
  const drill = page.getByRole('region', { name: new RegExp(`${account}: open on`) });
  await expect(drill).toBeVisible();
  await expect(drill.getByRole('columnheader', { name: 'Days past due' })).toBeVisible();
  await expect(drill.locator('tbody tr').first().getByRole('link')).toBeVisible();
  await screenshot(page, 'aging-drill-down');

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('aging-2027-06-30.csv');
  const text = readFileSync(await file.path(), 'utf8');
  expect(text.split('\n')[0]).toBe('Account,Kind,Current,1-30 days,31-60 days,61-90 days,Over 90 days,Total,Open invoices,Unapplied credit');
  expect(text).toContain(account.includes(',') ? `"${account}"` : account);

  // An impossible day is a field error, not a broken page.
  await page.goto('/accounting/aging?as_of=2027-02-30');
  await expect(page.getByText('Enter a date as YYYY-MM-DD.')).toBeVisible();
  await expect(page.getByLabel('As of')).toHaveAttribute('aria-invalid', 'true');
});

test('the collections dashboard reads on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, DEMO.billing);
  await expect(page.getByRole('link', { name: /Past due/ }).first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Most overdue accounts' })).toBeVisible();
  await screenshot(page, 'dashboard-collections-mobile');
});

// The month ahead: each day says what becomes billable and who invoices it; a day opens to its
// line items, and ads that will not bill say why.
test('the billing calendar shows the month ahead day by day', async ({ page }) => {
  await signIn(page, DEMO.billing, '/accounting/billing-calendar');
  await expect(page.getByRole('heading', { level: 1, name: 'Billing Calendar' })).toBeVisible();
  await hydrated(page);
  const days = page.getByRole('group', { name: 'Days of the month' });
  const busy = days.getByRole('link', { name: /line items? billable/ });
  if ((await busy.count()) === 0) {
    await page.getByRole('link', { name: /→$/ }).click();
  }
  await expect(busy.first()).toBeVisible();
  await screenshot(page, 'billing-calendar');
  await busy.first().click();
  await expect(page).toHaveURL(/day=\d{4}-\d{2}-\d{2}/);
  const list = page.getByRole('region', { name: /Billable on/ });
  await expect(list.locator('tbody tr').first()).toBeVisible();
  await expect(list.getByRole('columnheader', { name: 'Invoiced by' })).toBeVisible();
  await expect(page.getByRole('heading', { name: /and not billing/ })).toBeVisible();
  await screenshot(page, 'billing-calendar-day');
  await page.goto('/accounting/billing-calendar?month=2026-13');
  await expect(page.getByRole('alert')).toContainText('Choose a month as YYYY-MM');
});

import { expect, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

test('changing a rule moves the live preview, and the change is saved', async ({ page }) => {
  await signIn(page, DEMO.admin, '/rules');
  await hydrated(page);
  const row = page.getByRole('region', { name: 'Billing rule for Full Page Color (Print)' });
  const preview = row.locator('.rule-preview');
  await expect(preview).toContainText('becomes billable on');

  await row.getByLabel('Billing rule').selectOption('days_after');
  await row.getByLabel('Days').fill('3');
  const after = (await preview.innerText()).match(/running on (\d{4}-\d{2}-\d{2}) becomes billable on (\d{4}-\d{2}-\d{2})/);
  expect(after).not.toBeNull();
  const run = new Date(after![1]);
  const billable = new Date(after![2]);
  expect((billable.getTime() - run.getTime()) / 86_400_000).toBe(3);

  await row.getByLabel('Days').fill('-1');
  await expect(preview).toContainText('whole number');
  await row.getByLabel('Days').fill('10');
  await row.getByLabel('Billing rule').selectOption('days_before');
  await expect(preview).toContainText('becomes billable on');
  // Before Save, what the change would do to the product's unbilled line items.
  await expect(row.locator('.rule-change')).toContainText(/Saving this (changes \d+ of \d+ unbilled line items|changes no billing date)/);
  await screenshot(page, 'manage-rules');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row.getByRole('status')).toHaveText(/Saved/);
  await expect(row.locator('.rule-change')).toHaveCount(0);

  await page.reload();
  const reloaded = page.getByRole('region', { name: 'Billing rule for Full Page Color (Print)' });
  await expect(reloaded.getByLabel('Billing rule')).toHaveValue('days_before');
  await expect(reloaded.getByLabel('Days')).toHaveValue('10');
});

test('Manage Rules is one screen reached from Billable Line Items and from Automation', async ({ page }) => {
  await signIn(page, DEMO.viewer, '/accounting/billable-line-items');
  await page.getByRole('link', { name: 'Manage Rules' }).click();
  await expect(page).toHaveURL(/\/rules$/);
  await expect(page.getByText('Only admins can change billing rules')).toBeVisible();
  await page.goto('/automation/accounting');
  await page.getByRole('link', { name: 'Manage Rules' }).click();
  await expect(page).toHaveURL(/\/rules$/);
});

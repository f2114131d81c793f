import { expect, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

// A check pays a past-due invoice in full, then bounces: voiding it puts the invoice back to
// Past due with its whole balance, and both the Payments list and the timeline say why.
test('a bounced check is voided and its invoice is past due again', async ({ page }) => {
  await signIn(page, DEMO.billing);
  await page.goto('/accounting/invoices?tab=past_due');
  const row = page.locator('tbody tr').filter({ hasNot: page.getByText('Partially paid') }).first();
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

  const payments = page.getByRole('region', { name: 'Payments' });
  await payments.getByText('Void…').click();
  await payments.getByLabel('Why is this payment voided?').fill('Check returned unpaid (NSF)');
  await payments.getByRole('button', { name: 'Void payment' }).click();
  await expect(payments.getByText('Voided', { exact: true })).toBeVisible();
  await expect(payments.getByText('Check returned unpaid (NSF)')).toBeVisible();
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

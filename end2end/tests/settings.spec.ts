import { expect, test } from '@playwright/test';
import { DEMO, screenshot, signIn } from './helpers';

test('a viewer sees settings read-only and the server refuses a direct change', async ({ page }) => {
  await signIn(page, DEMO.viewer, '/settings');
  await expect(page.getByText('Only admins can change these settings')).toBeVisible();
  await expect(page.getByLabel('Organisation name')).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Save settings' })).toHaveCount(0);
  await screenshot(page, 'settings-viewer');

  // Going around the UI with the viewer's own session cookie changes nothing.
  const response = await page.request.post('/api/save_settings', {
    form: {
      name: 'Changed by a viewer', address: '', logo_url: '', currency: 'USD', time_zone: 'UTC',
      invoice_number_format: 'INV-{SEQ}', default_terms_days: '30', email_from: '',
    },
  });
  expect(response.status()).toBe(403);
  await page.reload();
  await expect(page.getByLabel('Organisation name')).toHaveValue('Valley Courier Media');
});

test('an admin sees the invoice number preview, field errors, and saves', async ({ page }) => {
  await signIn(page, DEMO.admin, '/settings');
  const format = page.getByLabel('Invoice number format');
  await format.fill('VC-{YY}{MM}-{SEQ:4}');
  await expect(page.getByText(/The next invoices will be numbered VC-\d{4}-0001, VC-\d{4}-0002/)).toBeVisible();
  await format.fill('VC-{NUMBER}');
  await expect(page.getByText('Unknown placeholder {NUMBER}').first()).toBeVisible();

  await page.getByLabel('Organisation name').fill('');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('alert')).toContainText('Please correct the highlighted fields');
  await expect(page.getByText("Enter the organisation's name.")).toBeVisible();
  await screenshot(page, 'settings-errors');

  await page.getByLabel('Organisation name').fill('Valley Courier Media Group');
  await format.fill('VC-{YYYY}-{SEQ:5}');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Organisation name')).toHaveValue('Valley Courier Media Group');
  await expect(page.getByLabel('Invoice number format')).toHaveValue('VC-{YYYY}-{SEQ:5}');
});

import { expect, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

test('billing staff edit an email template with merge fields, see a misspelling, and preview against an invoice', async ({ page }) => {
  // An invoice to preview against: invoice the first billable line item.
  await signIn(page, DEMO.billing, '/accounting/billable-line-items');
  await hydrated(page);
  const rows = page.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  await rows.nth(0).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Invoice Selected' }).click();
  const created = page.getByRole('status').filter({ hasText: 'Created 1 invoice.' });
  await expect(created).toBeVisible();
  const number = (await created.getByRole('link').first().innerText()).trim();

  // The library, grouped by kind.
  await page.goto('/automation/campaigns');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Campaigns: Email Templates');
  for (const kind of ['Invoice', 'Past-due reminder', 'Statement (unpaid invoices)', 'Payment receipt']) {
    await expect(page.getByRole('heading', { level: 2, name: kind, exact: true })).toBeVisible();
  }
  await expect(page.getByRole('row', { name: /Firm follow-up \(30 days\)/ })).toContainText('Past-due reminder at 30 days past due');
  await screenshot(page, 'templates-list');

  // Duplicate the default invoice template and edit the copy.
  await page.getByRole('button', { name: 'Duplicate Invoice (default)' }).click();
  await expect(page).toHaveURL(/\/automation\/campaigns\/templates\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Copy of Invoice (default)');
  await expect(page.locator('.preview-subject')).toContainText('Invoice INV-2026-00042');

  // Insert a merge field at the cursor: at the end of the subject.
  const subject = page.getByLabel('Subject');
  await subject.click();
  await subject.press('End');
  await subject.pressSequentially(' for ');
  await page.getByLabel('Insert merge field').selectOption({ label: 'Account name' });
  await expect(subject).toHaveValue(/for \{\{ account\.name \}\}$/);

  // Insert the Pay Online button into the body.
  const body = page.getByLabel('Body (HTML)');
  await body.click();
  await body.press('Control+End');
  await page.getByLabel('Insert Special Link').selectOption({ label: 'Pay Online button' });
  await expect(body).toHaveValue(/\{% if links\.invoice_payment %\}.*Pay Online.*\{% endif %\}$/s);

  // A misspelt field is reported on save, with a suggestion.
  await body.press('Control+End');
  await body.pressSequentially('<p>{{ invoice.numbr }}</p>');
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.locator('#body_html-error')).toHaveText('Unknown merge field `invoice.numbr` — did you mean `invoice.number`?');
  await expect(body).toHaveAttribute('aria-invalid', 'true');
  await screenshot(page, 'template-editor-misspelled');

  // Fixed, then saved.
  const fixed = (await body.inputValue()).replace('invoice.numbr', 'invoice.number');
  await body.fill(fixed);
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Template saved.' })).toBeVisible();

  // Preview against the real invoice: its number in the subject and the HTML, the text part too.
  const option = await page.locator('#preview-invoice option', { hasText: number }).getAttribute('value');
  await page.getByLabel('Preview with').selectOption(option!);
  await expect(page.locator('.preview-subject')).toContainText(`Invoice ${number}`);
  const frame = page.frameLocator('iframe.preview-frame');
  await expect(frame.getByText(number).first()).toBeVisible();
  // The default body has one Pay Online button and the spec inserted a second.
  await expect(frame.getByRole('link', { name: 'Pay Online' })).toHaveCount(2);
  await screenshot(page, 'template-editor-preview');
  await page.getByRole('tab', { name: 'Text' }).click();
  await expect(page.locator('#preview-text')).toContainText(number);
  await screenshot(page, 'template-editor-preview-text');

  // Send test goes to the signed-in user.
  await page.getByRole('button', { name: `Send test to ${DEMO.billing.email}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Sent to ${DEMO.billing.email}.` })).toBeVisible();
});

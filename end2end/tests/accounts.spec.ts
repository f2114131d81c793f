import { expect, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

test('billing creates an account, sees it flagged until it has a To contact, then in the list', async ({ page }) => {
  const name = `Lakeside Bakery ${Date.now()}`;
  await signIn(page, DEMO.billing, '/accounts');
  await hydrated(page);
  await page.getByRole('link', { name: 'New account' }).click();
  await expect(page).toHaveURL(/\/accounts\/new$/);
  await hydrated(page);

  const details = page.getByRole('form', { name: 'Account details' });
  // A missing name is a message beside the field, not a failed request.
  await details.getByRole('button', { name: 'Create account' }).click();
  await expect(details.getByText("Enter the account's name.")).toBeVisible();
  await expect(details.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');

  await details.getByLabel('Name').fill(name);
  await details.getByLabel('Payment terms').selectOption('custom');
  await details.getByLabel('Days after issue').fill('20');
  await details.getByLabel('Accounts payable email').fill('ap@lakeside.example');
  await details.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.locator('#recipient-flag')).toContainText('No invoice recipient');
  await expect(page.getByRole('form', { name: 'Account details' }).getByLabel('Days after issue')).toHaveValue('20');

  const add = page.getByRole('form', { name: 'New contact' });
  await add.getByLabel('Name').fill('Dana Ortiz');
  await add.getByLabel('Email').fill('not-an-email');
  await add.getByRole('button', { name: 'Add contact' }).click();
  await expect(add.getByText('Enter a valid e-mail address')).toBeVisible();
  await add.getByLabel('Email').fill('dana@lakeside.example');
  await add.getByLabel('Receives invoices').selectOption('to');
  await add.getByRole('button', { name: 'Add contact' }).click();
  await expect(page.getByRole('status')).toHaveText('Contact added.');
  await expect(page.locator('#recipient-flag')).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Contact Dana Ortiz' })).toBeVisible();
  await screenshot(page, 'account-editor');

  await page.getByRole('link', { name: 'Accounts', exact: true }).first().click();
  await page.getByLabel('Search accounts by name').fill(name);
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toBeVisible();
  await expect(row).not.toContainText('No recipient');
  await expect(row).toContainText('Net 20');
});

test('an account with no To contact is flagged in the list and on its page', async ({ page }) => {
  const name = `Nobody Home ${Date.now()}`;
  await signIn(page, DEMO.billing, '/accounts/new');
  await hydrated(page);
  const details = page.getByRole('form', { name: 'Account details' });
  await details.getByLabel('Name').fill(name);
  await details.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  await hydrated(page);
  const add = page.getByRole('form', { name: 'New contact' });
  await add.getByLabel('Name').fill('Cc Only');
  await add.getByLabel('Email').fill('cc@nobody.example');
  await add.getByLabel('Receives invoices').selectOption('cc');
  await add.getByRole('button', { name: 'Add contact' }).click();
  await expect(page.getByRole('status')).toHaveText('Contact added.');
  await expect(page.locator('#recipient-flag')).toContainText('cannot be emailed until it has a To contact');

  await page.goto(`/accounts?q=${encodeURIComponent(name)}`);
  await expect(page.getByRole('row', { name: new RegExp(name) })).toContainText('No recipient');
});

test('an admin creates a product with a live billing-rule preview', async ({ page }) => {
  const name = `Podcast Spot ${Date.now()}`;
  await signIn(page, DEMO.admin, '/products');
  await hydrated(page);
  await page.getByRole('link', { name: 'New product' }).click();
  await expect(page).toHaveURL(/\/products\/new$/);
  await hydrated(page);
  const form = page.getByRole('form', { name: 'Product' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Category').fill('Audio');
  await form.getByLabel('Default unit price').fill('-5');
  await form.getByLabel('Tax rate').fill('8.25');
  await form.getByLabel('Billing rule').selectOption('days_after');
  await form.getByLabel('Days').fill('3');
  const preview = form.locator('.rule-preview');
  const m = (await preview.innerText()).match(/running on (\d{4}-\d{2}-\d{2}) becomes billable on (\d{4}-\d{2}-\d{2})/);
  expect(m).not.toBeNull();
  expect((new Date(m![2]).getTime() - new Date(m![1]).getTime()) / 86_400_000).toBe(3);

  await form.getByRole('button', { name: 'Create product' }).click();
  await expect(form.getByText('The unit price cannot be negative.')).toBeVisible();
  await form.getByLabel('Default unit price').fill('350.00');
  await screenshot(page, 'product-editor');
  await form.getByRole('button', { name: 'Create product' }).click();
  await expect(page).toHaveURL(/\/products\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByLabel('Billing rule')).toHaveValue('days_after');

  await page.goto('/products');
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('3 Days After Run Date');
  await expect(row).toContainText('$350.00');
  await expect(row).toContainText('8.25%');
});

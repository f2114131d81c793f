import { expect, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

test('an admin creates an API key, sees it once, uses it, and revokes it', async ({ page, request }) => {
  await signIn(page, DEMO.admin, '/settings');
  await hydrated(page);
  const section = page.getByRole('region', { name: 'API keys' });
  await expect(section).toBeVisible();

  // A name is required; the error sits beside the field.
  await section.getByRole('button', { name: 'Create key' }).click();
  await expect(section.getByText('Name the key after the system that will use it.')).toBeVisible();

  const name = `Ad order system ${Date.now()}`;
  await section.getByLabel('Name').fill(name);
  await section.getByRole('button', { name: 'Create key' }).click();
  const shown = section.getByLabel(/copy it now; it will not be shown again/);
  await expect(shown).toBeVisible();
  const key = await shown.inputValue();
  expect(key).toMatch(/^prk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
  const prefix = key.slice(4, 12);
  const row = section.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText(`prk_${prefix}_…`);
  await expect(row).toContainText('Never');
  await screenshot(page, 'settings-api-keys');

  // The key works for the REST API (a separate client: no cookies, only the bearer key).
  const auth = { Authorization: `Bearer ${key}` };
  const accounts = await request.get('/api/v1/accounts?per_page=5', { headers: auth });
  expect(accounts.status()).toBe(200);
  const body = await accounts.json();
  expect(body.items.length).toBeGreaterThan(0);
  expect(body.items[0]).toHaveProperty('contacts');

  // Shown once: after a reload only the prefix remains, now with a last-used time.
  await page.reload();
  await hydrated(page);
  await expect(page.getByText(key)).toHaveCount(0);
  await expect(row).toContainText(`prk_${prefix}_…`);
  await expect(row).not.toContainText('Never');

  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await expect(row).toContainText('Revoked');
  const refused = await request.get('/api/v1/accounts', { headers: auth });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe('unauthorized');
  await screenshot(page, 'settings-api-keys-revoked');
});

test('billing staff do not see API keys', async ({ page }) => {
  await signIn(page, DEMO.billing, '/settings');
  await expect(page.getByRole('heading', { name: 'Staff users' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'API keys' })).toHaveCount(0);
});

import { expect, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

test('signed-out visitors are sent to sign in and come back where they were going', async ({ page }) => {
  await page.goto('/accounts');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Faccounts$/);
  await screenshot(page, 'sign-in');
  await hydrated(page);
  await page.getByLabel('Email').fill(DEMO.admin.email);
  await page.getByLabel('Password').fill(DEMO.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/accounts$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
});

test('a wrong password says so and keeps the visitor on the sign-in page', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email').fill(DEMO.billing.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Incorrect email or password.');
  await expect(page).toHaveURL(/\/sign-in/);
  await screenshot(page, 'sign-in-error');
});

test('every section of the shell opens and explains itself', async ({ page }) => {
  await signIn(page, DEMO.admin);
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  await expect(page.getByRole('img', { name: /Bar chart of booked revenue/ })).toBeVisible();
  await screenshot(page, 'dashboard');

  const sections: Array<[string, string, string]> = [
    ['Billable Line Items', 'Billable Line Items', 'billable-line-items'],
    ['Invoices', 'Invoices', 'invoices'],
    ['Payments', 'Payments', 'payments'],
    ['Accounting', 'Automation: Accounting', 'automation-accounting'],
    ['Campaigns', 'Campaigns: Email Templates', 'campaigns'],
    ['Accounts', 'Accounts', 'accounts'],
    ['Products', 'Products', 'products'],
    ['Orders', 'Orders', 'orders'],
    ['Settings', 'Settings', 'settings'],
  ];
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const [link, heading, shot] of sections) {
    await nav.getByRole('link', { name: link, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await expect(nav.getByRole('link', { name: link, exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByText('Loading…')).toHaveCount(0);
    await screenshot(page, shot);
  }
});

test('accounts page with search and paging', async ({ page }) => {
  await signIn(page, DEMO.viewer, '/accounts');
  await expect(page.getByText(/Page 1 of \d+/)).toBeVisible();
  await page.getByRole('link', { name: 'Next →' }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText(/Page 2 of \d+/)).toBeVisible();
  await page.getByRole('searchbox').fill('marine');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=marine/);
  await expect(page.getByRole('row', { name: /Anchor Marine/ })).toBeVisible();
  await expect(page.getByText(/Page 1 of 1/)).toBeVisible();
});

test('the layout works on a phone-sized screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, DEMO.billing);
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  await screenshot(page, 'dashboard-mobile');
});

test('signing out ends the session', async ({ page }) => {
  await signIn(page, DEMO.billing);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto('/orders');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Forders/);
});

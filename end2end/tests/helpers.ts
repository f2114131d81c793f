import { expect, Page } from '@playwright/test';

export const DEMO = {
  admin: { email: 'admin@pressrun.example', password: 'pressrun-admin', name: 'Avery Admin' },
  billing: { email: 'billing@pressrun.example', password: 'pressrun-billing', name: 'Blake Billing' },
  viewer: { email: 'viewer@pressrun.example', password: 'pressrun-viewer', name: 'Vic Viewer' },
};

/** Waits until the WASM bundle has taken over the page, so clicks run client-side code. */
export async function hydrated(page: Page) {
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached' });
}

export async function signIn(page: Page, who: { email: string; password: string; name: string }, next = '/') {
  await page.goto(next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`);
  await hydrated(page);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('banner').getByText(who.name)).toBeVisible();
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });
}

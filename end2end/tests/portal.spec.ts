import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, expect, Page, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

const mailDir = process.env.PRESSRUN_E2E_MAIL_DIR!;

/** Every message the SMTP server accepted, with quoted-printable soft breaks undone. */
function received(): string[] {
  return readdirSync(mailDir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => readFileSync(join(mailDir, f), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '='));
}

function portalLink(mail: string, kind: 'invoice' | 'account'): string {
  const m = mail.match(new RegExp(`https?://[^\\s"<>]+/portal/${kind}/[A-Za-z0-9_-]{43}`));
  expect(m, `a /portal/${kind}/ link in the email`).not.toBeNull();
  return m![0];
}

type Row = { number: string; account: string; status: string };

async function unpaidRows(page: Page, sort = ''): Promise<Row[]> {
  await page.goto(`/accounting/invoices?tab=unpaid${sort}`);
  await expect(page.locator('tbody tr').first()).toBeVisible();
  return page.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const cells = tr.querySelectorAll('th, td');
      return { number: cells[0].textContent!.trim(), account: cells[1].textContent!.trim(), status: cells[2].textContent!.trim() };
    }),
  );
}

/** Opens an invoice from the Unpaid list; false when its account has nobody to email. */
async function openInvoice(page: Page, number: string): Promise<boolean> {
  await page.goto(`/accounting/invoices?tab=unpaid&q=${number}`);
  await page.getByRole('link', { name: number, exact: true }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(number);
  return (await page.locator('#recipient-flag').count()) === 0;
}

async function payWithTestCard(client: Page) {
  await expect(client.getByText('Test payments: no card is charged')).toBeVisible();
  await client.getByLabel('Card number').fill('4000 0000 0000 0002');
  await client.getByLabel('Expiry (MM/YY)').fill('12/30');
  await client.getByLabel('CVC').fill('123');
  await client.getByRole('button', { name: /^Pay / }).click();
  await expect(client.getByRole('alert')).toHaveText('Your card was declined.');
  await client.getByLabel('Card number').fill('4242 4242 4242 4242');
  await client.getByLabel('CVC').fill('123');
  await client.getByRole('button', { name: /^Pay / }).click();
  await expect(client.getByRole('heading', { name: 'Paid — thank you' })).toBeVisible();
}

async function clientPage(browser: Browser): Promise<Page> {
  // A client has no staff session: a fresh context with no cookies.
  const ctx = await browser.newContext();
  return ctx.newPage();
}

test('the Pay Online link in an invoice email pays the invoice; staff see it Paid and a receipt goes out', async ({ page, browser }) => {
  await signIn(page, DEMO.billing, '/accounting/invoices?tab=unpaid');
  const rows = (await unpaidRows(page)).filter((r) => !/partially/i.test(r.status));
  let number = '';
  for (const r of rows) {
    if (await openInvoice(page, r.number)) {
      number = r.number;
      break;
    }
  }
  expect(number, 'an unpaid invoice whose account has an invoice contact').not.toBe('');

  const before = received().length;
  await page.getByRole('button', { name: /Send invoice email|Send again/ }).click();
  await expect(page.getByText('Email queued.')).toBeVisible();
  await expect.poll(() => received().slice(before).find((m) => m.includes(`Subject: Invoice ${number}`)) ?? '', { timeout: 30_000 }).not.toBe('');
  const email = received().slice(before).find((m) => m.includes(`Subject: Invoice ${number}`))!;
  const link = portalLink(email, 'invoice');

  const client = await clientPage(browser);
  await client.goto(link);
  await expect(client.getByRole('heading', { level: 1 })).toContainText(`Invoice ${number}`);
  await expect(client.getByText('Balance due').first()).toBeVisible();
  await screenshot(client, 'portal-invoice');
  await client.getByRole('button', { name: 'Pay Online' }).click();
  await screenshot(client, 'portal-test-checkout');
  await payWithTestCard(client);
  await expect(client.getByText(number)).toBeVisible();
  await screenshot(client, 'portal-paid');

  await client.goto(link);
  await expect(client.getByText('Paid — thank you')).toBeVisible();
  await expect(client.getByRole('heading', { name: 'Receipt' })).toBeVisible();
  await expect(client.getByRole('button', { name: 'Pay Online' })).toHaveCount(0);

  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Paid');
  await expect(page.locator('.timeline')).toContainText('Viewed by client');
  await expect(page.locator('.timeline')).toContainText('Payment');
  await screenshot(page, 'invoice-paid-online');
  await expect.poll(() => received().slice(before).filter((m) => /^Subject: Receipt:/m.test(m)).length, { timeout: 30_000 }).toBeGreaterThan(0);

  await page.goto('/accounting/payments');
  await expect(page.getByRole('row', { name: new RegExp(number) })).toBeVisible();
  await screenshot(page, 'payments');
});

test('the Unpaid Invoices page pays two invoices in one checkout', async ({ page, browser }) => {
  await signIn(page, DEMO.billing, '/accounting/invoices?tab=unpaid');
  // Sorted by account, an account's invoices are next to each other on the first page.
  const rows = await unpaidRows(page, '&sort=account&dir=asc');
  const byAccount = new Map<string, Row[]>();
  for (const r of rows) byAccount.set(r.account, [...(byAccount.get(r.account) ?? []), r]);
  const [account, theirs] = [...byAccount.entries()].find(([, rs]) => rs.length >= 2) ?? ['', []];
  expect(theirs.length, 'an account with two unpaid invoices').toBeGreaterThanOrEqual(2);

  await openInvoice(page, theirs[0].number);
  await page.getByRole('button', { name: 'New Unpaid Invoices link' }).click();
  const link = await page.getByLabel('New client link').inputValue();
  expect(link).toMatch(/\/portal\/account\/[A-Za-z0-9_-]{43}$/);

  const client = await clientPage(browser);
  await client.goto(link);
  await expect(client.getByRole('heading', { name: 'Unpaid invoices' })).toBeVisible();
  await expect(client.getByText(account).first()).toBeVisible();
  const boxes = client.getByRole('checkbox', { name: /^Pay invoice / });
  const count = await boxes.count();
  expect(count).toBeGreaterThanOrEqual(2);
  // Keep exactly the first two.
  for (let i = 2; i < count; i++) await boxes.nth(i).uncheck();
  await expect(client.getByText(/^2 selected/)).toBeVisible();
  const chosen = [
    (await boxes.nth(0).getAttribute('aria-label'))!.replace('Pay invoice ', ''),
    (await boxes.nth(1).getAttribute('aria-label'))!.replace('Pay invoice ', ''),
  ];
  await screenshot(client, 'portal-unpaid-invoices');
  await client.getByRole('button', { name: 'Pay selected' }).click();
  await expect(client.getByText(`Invoices: ${chosen.join(', ')}`)).toBeVisible();
  await payWithTestCard(client);
  for (const n of chosen) await expect(client.getByRole('cell', { name: n })).toBeVisible();

  for (const n of chosen) {
    await page.goto(`/accounting/invoices?tab=paid&q=${n}`);
    await expect(page.getByRole('row', { name: new RegExp(n) })).toBeVisible();
  }
});

test('a tampered link gets the plain not-valid page', async ({ browser }) => {
  const client = await clientPage(browser);
  const mail = received().find((m) => /\/portal\/invoice\//.test(m));
  const link = mail ? portalLink(mail, 'invoice') : `${process.env.PRESSRUN_E2E_URL}/portal/invoice/${'A'.repeat(43)}`;
  const tampered = link.slice(0, -1) + (link.endsWith('A') ? 'B' : 'A');
  const res = await client.goto(tampered);
  expect(res!.status()).toBe(404);
  await expect(client.getByRole('heading', { name: 'This link is not valid' })).toBeVisible();
  await screenshot(client, 'portal-not-valid');
});

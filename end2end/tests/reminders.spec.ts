import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { DEMO, hydrated, screenshot, signIn } from './helpers';

const mailDir = process.env.PRESSRUN_E2E_MAIL_DIR!;

function received(): string[] {
  return readdirSync(mailDir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => readFileSync(join(mailDir, f), 'utf8'));
}

/** Quoted-printable soft breaks and =XX escapes undone, so links can be read. */
function decoded(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

test('a reminder rule set in the browser sends its template with a Pay Online link', async ({ page }) => {
  await signIn(page, DEMO.admin, '/automation/accounting');
  await hydrated(page);
  const section = page.getByRole('region', { name: 'Past Due Reminders' });
  await expect(section.getByText('Day', { exact: false }).first()).toBeVisible();

  await section.getByLabel('Send past-due reminders').check();
  await section.getByLabel('How').selectOption('per_invoice');
  await section.getByRole('button', { name: 'Save reminder settings' }).click();
  await expect(section.getByText('Reminder settings saved.')).toBeVisible();

  // A duplicate day count is refused with a field error.
  const add = section.locator('form[data-rule=""]');
  await add.getByLabel('Days past due').fill('30');
  await add.getByRole('button', { name: 'Add step' }).click();
  await expect(add.getByText('There is already a reminder at 30 days past due.')).toBeVisible();
  await add.getByLabel('Days past due').fill('0');
  await add.getByRole('button', { name: 'Add step' }).click();
  await expect(add.getByText('greater than 0')).toBeVisible();

  // Day 45 with the friendly template.
  await add.getByLabel('Days past due').fill('45');
  await add.getByLabel('Template').selectOption({ label: 'Friendly reminder (7 days)' });
  await add.getByRole('button', { name: 'Add step' }).click();
  await expect(section.locator('form[data-rule]:not([data-rule=""]) input[name="days"][value="45"]')).toHaveCount(1);
  await screenshot(page, 'reminder-settings');

  // Invoices made by the earlier specs are due in about 30 days; 80 days on they are 45–60
  // days past due, so the highest step they have reached is the new day-45 rule.
  const later = new Date(Date.now() + 80 * 86_400_000);
  const before = received().length;
  const out = execFileSync(process.env.PRESSRUN_BIN!, ['tick', '--today', isoDate(later)], { encoding: 'utf8' });
  expect(out).toMatch(/[1-9]\d* reminder step\(s\) queued/);
  const mail = received().slice(before);
  const reminder = mail.find((m) => /^Subject: Reminder: invoice INV-\d{4}-\d{5} is past due/m.test(m));
  expect(reminder, 'a reminder with the friendly template').toBeTruthy();
  const number = reminder!.match(/^Subject: Reminder: invoice (INV-\d{4}-\d{5})/m)![1];
  const body = decoded(reminder!);
  expect(body).toContain('days past due');
  // Read from the plain-text part: in the HTML part the template engine writes `/` as `&#x2f;`.
  const link = body.match(/(https?:\/\/[^\s"<>]+\/portal\/invoice\/[A-Za-z0-9_-]{43})/);
  expect(link, 'a Pay Online link to the invoice payment page').toBeTruthy();
  expect(new URL(link![1]).pathname).toMatch(/^\/portal\/invoice\/[A-Za-z0-9_-]{20,}$/);
  // The Pay Online link opens the invoice's payment page.
  await page.goto(link![1]);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Invoice ${number}`);
  await expect(page.getByRole('button', { name: 'Pay Online' })).toBeVisible();
  await screenshot(page, 'portal-from-reminder');

  // The invoice page shows the reminder in its timeline and Reminders section.
  await page.goto(`/accounting/invoices?tab=unpaid&q=${number}`);
  await page.getByRole('link', { name: number }).first().click();
  await hydrated(page);
  await expect(page.locator('.timeline')).toContainText('Day 45 reminder emailed to');
  const reminders = page.getByRole('region', { name: 'Reminders' });
  await expect(reminders).toContainText('Day 45 reminder');
  await screenshot(page, 'invoice-reminders');

  await page.goto('/automation/reminders');
  await hydrated(page);
  await expect(page.getByRole('region', { name: /Sent/ })).toContainText(number);
  await screenshot(page, 'reminders-view');
});

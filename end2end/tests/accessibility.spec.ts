import { expect } from '@playwright/test';
import { expectNoViolations, test } from './a11y';
import { customerPages, publicPages, staffPages } from './pages';
import { logIn, totp } from './support';

// WCAG 2.2 AA as axe-core checks it (see a11y.ts), on every page each role reaches, in French and in English, with
// JavaScript on and off.

// The check itself can fail: an unlabelled field, served in place of a page, is reported with and without JavaScript.
test('the audit reports a violation when there is one', async ({ page, audit }) => {
  await page.route('**/audit-sanity', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!DOCTYPE html><html lang="fr"><head><title>Essai</title><link rel="stylesheet" href="/pkg/portal.css"></head><body><main><h1>Essai</h1><input type="text"></main></body></html>',
    }),
  );
  await page.goto('/audit-sanity');
  expect((await audit(page)).join('\n')).toContain('label (critical)');
});

test('public pages have no accessibility violations', async ({ page, audit }) => {
  test.setTimeout(90_000);
  for (const path of publicPages) await expectNoViolations(page, audit, path);
});

test('a sign-in error has no accessibility violations', async ({ page, audit }) => {
  await logIn(page, 'nobody@example.ch', 'not-the-password');
  await expect(page.getByRole('alert')).toBeVisible();
  expect(await audit(page)).toEqual([]);
});

// Martin Keller has contracts, backups and mailboxes; the other specs that sign him in only read, or correct a phone.
test('customer pages have no accessibility violations', async ({ page, audit }) => {
  test.setTimeout(120_000);
  await logIn(page, 'martin.keller@keller-velos.ch');
  await expect(page).toHaveURL(/\/account$/);
  for (const path of customerPages) await expectNoViolations(page, audit, path);
});

// One staff member per project holds all three staff roles (support, sysadmin, privacy officer), so that one sign-in
// reaches every staff page; created by the web server command in playwright.config.ts, enrolled here.
test('staff pages have no accessibility violations', async ({ page, audit }, testInfo) => {
  test.setTimeout(240_000);
  await logIn(page, `a11y.staff.${testInfo.project.name}@staff.portal.example`);
  await expect(page).toHaveURL(/\/login\/enrol$/);
  expect(await audit(page)).toEqual([]);
  const secret = (await page.locator('#totp-secret').textContent())?.trim() ?? '';
  await page.getByLabel('Code', { exact: true }).fill(totp(secret));
  await page.locator('#enrol-form button[type=submit]').click();
  await expect(page).toHaveURL(/\/login\/recovery-codes$/);
  expect(await audit(page)).toEqual([]);
  for (const path of staffPages) await expectNoViolations(page, audit, path);
});

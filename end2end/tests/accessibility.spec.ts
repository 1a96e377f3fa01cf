import AxeBuilder from '@axe-core/playwright';
import { expect, Page, test as base } from '@playwright/test';
import { logIn, totp } from './support';

// WCAG 2.2 AA as axe-core checks it, on every page each role reaches, in French and in English, with JavaScript on
// and off.
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

type Audit = (page: Page) => Promise<string[]>;

// axe is a script: in a page without JavaScript it cannot run. There the page's server-rendered document (what a
// browser without JavaScript shows) is copied into a second page of the same origin with JavaScript on, whose
// requests for the application's script are refused, so that it stays exactly that document, styles included.
const test = base.extend<{ audit: Audit }>({
  audit: async ({ browser, baseURL, javaScriptEnabled }, use) => {
    if (javaScriptEnabled) {
      await use((page) => violationsOn(page));
      return;
    }
    const context = await browser.newContext({ baseURL, javaScriptEnabled: true });
    await context.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
    const twin = await context.newPage();
    await twin.goto('/charter');
    await use(async (page) => {
      await twin.setContent(await page.content(), { waitUntil: 'load' });
      // Contrast is judged on the real styles: the copy must have loaded the portal's style sheet.
      const styled = await twin.evaluate(() =>
        [...document.styleSheets].some((sheet) => sheet.href?.endsWith('/pkg/portal.css') && sheet.cssRules.length > 0),
      );
      expect(styled, 'the copied page has the portal style sheet').toBe(true);
      return violationsOn(twin);
    });
    await context.close();
  },
});

/** The violations on the page as it is now, one readable line each: rule, impact, help and the elements. */
async function violationsOn(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
}

const LANGUAGES = ['fr', 'en'];

/** Chooses the page language as the switch does: the cookie it sets. */
async function chooseLanguage(page: Page, language: string) {
  const url = test.info().project.use.baseURL ?? '';
  await page.context().addCookies([{ name: 'i18n_pref_locale', value: language, url }]);
}

async function expectNoViolations(page: Page, audit: Audit, path: string) {
  for (const language of LANGUAGES) {
    await chooseLanguage(page, language);
    await page.goto(path);
    await expect(page.locator('html')).toHaveAttribute('lang', language);
    await expect(page.locator('main h1').first()).toBeVisible();
    expect(await audit(page), `axe violations on ${path} in ${language}`).toEqual([]);
  }
  await chooseLanguage(page, 'fr');
}

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

const publicPages = ['/', '/login', '/password-reset', '/charter', '/charter/history', '/charter/v/1', '/charter/diff?from=1&to=1', '/no-such-page'];

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
const customerPages = [
  '/account',
  '/account/consents',
  '/account/messages',
  '/account/backups',
  '/account/data',
  '/account/access-log',
  '/security',
];

test('customer pages have no accessibility violations', async ({ page, audit }) => {
  test.setTimeout(120_000);
  await logIn(page, 'martin.keller@keller-velos.ch');
  await expect(page).toHaveURL(/\/account$/);
  for (const path of customerPages) await expectNoViolations(page, audit, path);
});

// One staff member per project holds all three staff roles (support, sysadmin, privacy officer), so that one sign-in
// reaches every staff page; created by the web server command in playwright.config.ts, enrolled here.
const staffPages = [
  '/staff',
  '/staff/consents',
  '/staff/consents/new',
  '/staff/consents/oral',
  '/staff/cases',
  '/staff/contacts',
  '/staff/contacts?query=C-100004&reason=ticket+T-1',
  '/staff/supervision',
  '/staff/supervision?query=C-100004',
  '/privacy/charter',
  '/privacy/data-requests',
  '/privacy/incidents',
  '/privacy/announcements',
  '/privacy/log',
  '/privacy/disclosures',
  '/security',
];

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

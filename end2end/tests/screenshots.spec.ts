import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { customer, logIn, supportFor, totp } from './support';

// Screenshots for README.md, taken from the real app. Opt-in so an ordinary test run leaves the tree unchanged:
// PORTAL_SCREENSHOTS=1 npx playwright test screenshots --project js-on
const widths = [360, 1280];

function token(file: string): string {
  const output = readFileSync(join(process.env.PORTAL_E2E_DATA_DIR ?? '', file), 'utf8');
  return output.trim().split('\n').pop() ?? '';
}

/** What the screens show: a pending request from support, and the accesses the infrastructure asked about. */
async function stage(request: APIRequestContext) {
  const support = supportFor('js-on').email;
  const asked = await request.post('/api/v1/consent-requests', {
    headers: { authorization: `Bearer ${token('e2e-ticketing-token')}` },
    data: {
      staff: support,
      customer: 'C-100001',
      resource: 'backup-space:backup-boulangerie-favre',
      actions: ['list', 'restore'],
      reason_code: 'customer-support',
      reason: 'Restaurer le dossier « Commandes 2026 » effacé par erreur, à votre demande.',
      duration_minutes: 240,
    },
  });
  expect(asked.status()).toBe(201);
  for (const resource of ['web-space:boulangerie-favre.ch', 'backup-space:backup-boulangerie-favre']) {
    const checked = await request.post('/api/v1/access-checks', {
      headers: { authorization: `Bearer ${token('e2e-api-token')}` },
      data: { staff: support, customer: 'C-100001', resource, action: 'read' },
    });
    expect(checked.status()).toBe(200);
  }
}

async function shoot(page: Page, path: string, name: string) {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(path);
    await expect(page.locator('main h1').first()).toBeVisible();
    await page.screenshot({ path: `screenshots/${name}-${width}.png`, fullPage: true });
  }
}

test.describe('README screenshots', () => {
  test.skip(process.env.PORTAL_SCREENSHOTS !== '1', 'set PORTAL_SCREENSHOTS=1 to refresh the README screenshots');
  test.describe.configure({ mode: 'serial' });

  test('public and customer pages', async ({ page, request }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await stage(request);
    await shoot(page, '/', 'home');
    await logIn(page, customer.email);
    await expect(page).toHaveURL(/\/account$/);
    await shoot(page, '/account', 'dashboard');
    await shoot(page, '/account/consents', 'consent-request');
    await shoot(page, '/account/access-log', 'access-log');
  });

  test('support queue', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    const support = supportFor('js-on');
    await logIn(page, support.email);
    await expect(page).toHaveURL(/\/login\/second-factor$/);
    await page.getByLabel('Code', { exact: true }).fill(totp(support.totpSecret));
    await page.locator('#second-factor-form button[type=submit]').click();
    await expect(page).toHaveURL(/\/staff$/);
    await shoot(page, '/staff/consents', 'support-queue');
  });
});

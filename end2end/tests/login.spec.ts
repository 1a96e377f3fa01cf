import { expect, test } from '@playwright/test';
import { customer, DEMO_PASSWORD, logIn, loneCustomerFor, supportFor, totp } from './support';

test('a customer signs in, sees their account, and signs out', async ({ page }) => {
  await logIn(page, customer.email);
  await expect(page).toHaveURL(/\/account$/);
  // With JavaScript the title changes in the browser, without it with the new page: either way, each page's own.
  await expect(page).toHaveTitle('Mon compte · Portail de confidentialité');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Bonjour ${customer.name}`);
  await expect(page.locator('.site-header .who')).toHaveText(customer.name);

  await page.locator('#log-out').click();
  await expect(page).toHaveURL(/\/login\?signed-out=1/);
  await expect(page).toHaveTitle('Se connecter · Portail de confidentialité');
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login\?next=\/account/);
});

test('a wrong password is refused with a message next to the form', async ({ page }) => {
  await logIn(page, customer.email, 'not the right password');
  await expect(page.getByRole('alert')).toHaveText('L’adresse e-mail ou le mot de passe est incorrect.');
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('support signs in with a password and an authenticator code', async ({ page }, testInfo) => {
  const support = supportFor(testInfo.project.name);
  await logIn(page, support.email);
  await expect(page).toHaveURL(/\/login\/second-factor/);
  await page.goto('/staff');
  await expect(page).toHaveURL(/\/login\/second-factor/, { timeout: 5_000 });

  await page.getByLabel('Code', { exact: true }).fill(totp(support.totpSecret));
  await page.locator('#second-factor-form button[type=submit]').click();
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.locator('#roles')).toContainText('Support');
  await expect(page.locator('.site-header .who')).toHaveText(support.name);
});

test('a customer is refused the staff area', async ({ page }) => {
  await logIn(page, customer.email);
  await expect(page).toHaveURL(/\/account$/);
  const response = await page.goto('/staff');
  expect(response?.status()).toBe(403);
});

test('account security lists this session', async ({ page }, testInfo) => {
  await logIn(page, loneCustomerFor(testInfo.project.name).email, DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  await page.goto('/security');
  // Other specs may hold sessions of the same customer at the same time: this one is listed, and it alone is marked.
  await expect(page.locator('#sessions li').filter({ hasText: 'Cette session' })).toHaveCount(1);
  await expect(page.locator('#sessions .badge')).toHaveText('Cette session');
});

import { expect, test } from '@playwright/test';
import { logIn, loneCustomerFor } from './support';

// A new visitor: no language chosen in this browser yet (the rest of the suite starts with French chosen).
test.use({ storageState: { cookies: [], origins: [] } });

test.describe('a browser asking for English', () => {
  test.use({ locale: 'en-GB' });

  test('reads the portal in English', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Our commitments, verifiable');
    await expect(page.locator('#footer-charter')).toHaveText('Privacy charter');
  });
});

test('the switch changes the language, stays on the page and is remembered', async ({ page }) => {
  await page.goto('/charter/history');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.locator('#language-switch')).toHaveText('English');

  await page.locator('#language-switch').click();
  await expect(page).toHaveURL(/\/charter\/history$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('#language-switch')).toHaveText('Français');

  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Our commitments, verifiable');
  await page.locator('#language-switch').click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nos engagements, vérifiables');
});

test('a customer with English on record reads English once signed in', async ({ page }, testInfo) => {
  // Both lone customers (one per project) have English as their language of record.
  await logIn(page, loneCustomerFor(testInfo.project.name).email);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('#log-out')).toHaveText('Sign out');
});

import { expect, test } from '@playwright/test';
import { logIn, totp } from './support';

test('a new support agent enrols a second factor at first sign-in and gets recovery codes once', async ({ page }, testInfo) => {
  await logIn(page, `new.agent.${testInfo.project.name}@staff.portal.example`);
  await expect(page).toHaveURL(/\/login\/enrol$/);
  await expect(page.locator('.qr svg')).toBeVisible();
  const secret = (await page.locator('#totp-secret').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);

  await page.getByLabel('Code', { exact: true }).fill('000000');
  await page.locator('#enrol-form button[type=submit]').click();
  await expect(page.getByRole('alert')).toContainText('Ce code n’est pas valable');

  await page.getByLabel('Code', { exact: true }).fill(totp(secret));
  await page.locator('#enrol-form button[type=submit]').click();
  await expect(page).toHaveURL(/\/login\/recovery-codes$/);
  await expect(page.locator('#recovery-codes li')).toHaveCount(10);

  await page.reload();
  await expect(page.locator('#recovery-codes li')).toHaveCount(0);
  await expect(page.getByText('Ces codes ont déjà été affichés.')).toBeVisible();
  await page.goto('/staff');
  await expect(page.locator('#roles')).toContainText('Support');
});

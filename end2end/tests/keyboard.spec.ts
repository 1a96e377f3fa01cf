import { expect, Locator, Page, test } from '@playwright/test';
import { customer, DEMO_PASSWORD } from './support';

/** Moves the focus with Tab alone until `target` has it, as someone without a mouse does. */
async function tabTo(page: Page, target: Locator, maxStops = 40) {
  for (let stop = 0; stop < maxStops; stop++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`${target} is not reachable with Tab within ${maxStops} stops`);
}

test('the first Tab stop is the link that skips to the content', async ({ page }) => {
  await page.goto('/charter');
  await page.keyboard.press('Tab');
  const skip = page.locator('.skip-link');
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);
});

test('a customer signs in, reaches their consents and switches language with the keyboard alone', async ({ page }) => {
  await page.goto('/login');
  await tabTo(page, page.getByLabel('Adresse e-mail'));
  await page.keyboard.type(customer.email);
  await tabTo(page, page.getByLabel('Mot de passe'));
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account$/);

  await tabTo(page, page.locator('#consents-link'));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account\/consents$/);

  await tabTo(page, page.locator('#language-switch'));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account\/consents$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

import { expect, test } from '@playwright/test';
import { logIn, ready } from './support';
import { mailsTo } from './mail';

// playwright.config.ts imports one new customer per project with `server import-customers --invite`, before the
// server starts: the invitation waits in the outbox and goes out once it serves.
test('an invited customer follows the link, chooses a password and sees their data', async ({ page }, testInfo) => {
  const email = `invited.${testInfo.project.name}@menuiserie-exemple.ch`;
  const password = 'copeaux de chêne 2026';
  let link = '';
  await expect
    .poll(
      () => {
        link = mailsTo(email)[0]?.text.match(/https?:\/\/\S+\/welcome\/[0-9a-f]{64}/)?.[0] ?? '';
        return link;
      },
      { timeout: 20_000 },
    )
    .not.toBe('');

  await page.goto(new URL(link).pathname);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choisir votre mot de passe');
  await ready(page);
  await page.getByLabel('Mot de passe').fill(password);
  await page.locator('#welcome-form button[type=submit]').click();
  await expect(page).toHaveURL(/\/login\?welcome=1$/);
  await expect(page.locator('#login-ready')).toBeVisible();

  await logIn(page, email, password);
  await expect(page).toHaveURL(/\/account$/);
  await page.goto('/account/data');
  await expect(page.locator('#personal-fields')).toContainText('Chemin des Vignes 3');

  // The link worked once.
  await page.goto(new URL(link).pathname);
  await ready(page);
  await page.getByLabel('Mot de passe').fill(password);
  await page.locator('#welcome-form button[type=submit]').click();
  await expect(page.getByRole('alert')).toBeVisible();
});

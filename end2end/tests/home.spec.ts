import { expect, test } from '@playwright/test';

test('the home page is rendered on the server', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle('Accueil · Portail de confidentialité');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nos engagements, vérifiables');
  await expect(page.getByText('Toutes les sauvegardes sont détruites 7 jours après avoir été prises.')).toBeVisible();
});

test('the detail toggle works only once the page is hydrated', async ({ page, javaScriptEnabled }) => {
  await page.goto('/');
  const toggle = page.locator('#promises-toggle');
  const detail = page.getByText('Aucun membre du personnel n’y accède sans votre accord exprès.');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(detail).toBeVisible();

  if (javaScriptEnabled) {
    // A click before hydration is a no-op: keep clicking until the hydrated handler answers.
    await expect(async () => {
      await toggle.click();
      await expect(toggle).toHaveAttribute('aria-expanded', 'false', { timeout: 500 });
    }).toPass({ timeout: 15_000 });
    await expect(detail).toBeHidden();
    await expect(toggle).toHaveText('Afficher le détail');
  } else {
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect(detail).toBeVisible();
  }
});

test('without the wasm bundle the page stays server-rendered and inert', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'only meaningful when JavaScript could hydrate the page');
  await page.route('**/*.wasm', (route) => route.abort());
  await page.goto('/');
  const toggle = page.locator('#promises-toggle');
  await toggle.click();
  await page.waitForTimeout(1_000);
  await toggle.click();
  await page.waitForTimeout(500);
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
});

test('an unknown address shows a page that leads back home', async ({ page }) => {
  const response = await page.goto('/nulle-part');
  expect(response?.status()).toBe(404);
  await page.getByRole('link', { name: 'Retour à l’accueil' }).click();
  await expect(page).toHaveURL('/');
});

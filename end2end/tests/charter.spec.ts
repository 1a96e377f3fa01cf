import { expect, test } from '@playwright/test';
import { enrolWithKeyboard, logIn, ready, replaceText, tabTo } from './support';

// The charter (charter §7): public pages without signing in, the word-level difference between two versions, and
// the privacy officer's publication → terms-change notice in every customer's messages → the customer's
// acknowledgement. Both projects (JavaScript on and off) run at the same time against one server and may each
// publish a version, so nothing below assumes which number is the latest: each reads the number it got.

// Each project acknowledges as its own customer (the one its consent and access-log runs use too: a charter banner
// or acknowledgement changes nothing they check); the "lone" customers are kept for the sessions test.
const customers = {
  'js-on': { email: 'as.rochat@rochat-avocats.ch' },
  'js-off': { email: 'elodie.perrin@bluewin.ch' },
};

test('the charter in force, its history and every version are public, in French with the English beside it', async ({
  page,
}) => {
  await page.goto('/');
  await page.locator('#footer-charter').click();
  await expect(page).toHaveURL(/\/charter$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Charte de confidentialité');
  await expect(page.locator('#charter-version')).toHaveAttribute('data-status', 'en vigueur');
  await expect(page.locator('#charter-fr')).toHaveAttribute('lang', 'fr');
  await expect(page.locator('#charter-en')).toHaveAttribute('lang', 'en');
  await expect(page.locator('#translation-note')).toHaveText('This is a translation for information only. The French text prevails.');
  // The key that signs the audit log's checkpoints, to compare out of band before trusting a proof.
  await expect(page.locator('#log-public-key')).toHaveText(/^[0-9a-f]{64}$/);

  await page.goto('/charter/v/1');
  await expect(page.locator('#charter-fr')).toContainText('1. Quelles sont les données collectées ?');
  await expect(page.locator('#charter-fr')).toContainText('sauf sur ordonnance judiciaire suisse');
  await expect(page.locator('#charter-en')).toContainText('except by order of a Swiss court');

  await page.goto('/charter/history');
  const first = page.locator('#charter-history tr[data-version="1"]');
  await expect(first).toContainText('26.11.2026');
  await first.getByRole('link', { name: 'Version 1' }).click();
  await expect(page).toHaveURL(/\/charter\/v\/1$/);

  const missing = await page.goto('/charter/v/999');
  expect(missing?.status()).toBe(404);
  await page.goto('/charter/diff?from=1&to=1');
  await expect(page.locator('#no-changes')).toBeVisible();
});

test('a privacy officer publishes a version, every customer is told, and a customer acknowledges it', async (
  { page, browser, javaScriptEnabled },
  testInfo,
) => {
  test.setTimeout(180_000);
  const project = testInfo.project.name;
  // One word, so that the word-level difference with another run's version never shares part of it.
  const marker = `Ajout-${project}-${Date.now()}`;
  // Its own privacy officer (created without a second factor by playwright.config.ts): enrols and is signed in.
  await enrolWithKeyboard(page, `charter.officer.${project}@staff.portal.example`);
  await page.goto('/privacy/charter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Charte de confidentialité : nouvelle version');

  // The other project may save or publish at the same time: save, check, publish, and start again if the draft
  // changed in between. All with the keyboard alone (the texts pasted, as one would).
  let published = 0;
  await expect(async () => {
    await page.goto('/privacy/charter');
    await ready(page);
    const french = page.getByLabel('Texte français (fait foi)');
    const start = (await french.inputValue()).split('\nAjout-')[0].trimEnd();
    await tabTo(page, french);
    await replaceText(page, `${start}\n\n${marker}\n\n<script>window.charterXss = 1</script>\n`);
    await tabTo(page, page.getByLabel('Traduction anglaise'));
    await replaceText(page, `# Privacy charter\n\nTranslation (${project}).\n`);
    await tabTo(page, page.locator('#draft-form button[type=submit]'));
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/done=saved/, { timeout: 5_000 });
    await expect(page.locator('#done-notice')).toBeFocused();
    // The preview renders the Markdown and shows raw HTML as text.
    await expect(page.locator('#preview-fr')).toContainText(marker);
    await expect(page.locator('#preview-fr')).toContainText('<script>window.charterXss = 1</script>');
    await expect(page.locator('#diff ins').filter({ hasText: marker })).toHaveCount(1);
    await tabTo(page, page.getByLabel('Ce qui change, en quelques phrases'), 300);
    await page.keyboard.type(`Ajout d’un paragraphe (${project}).`);
    await tabTo(page, page.locator('#publish-form button[type=submit]'));
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/done=published&version=\d+/, { timeout: 5_000 });
    await expect(page.locator('#done-notice')).toBeFocused();
    published = Number(await page.locator('#published-version').textContent());
  }).toPass({ timeout: 120_000, intervals: [1_000, 3_000, 5_000] });
  expect(published).toBeGreaterThan(1);
  expect(Number(await page.locator('#queued-count').textContent())).toBeGreaterThanOrEqual(5);
  if (javaScriptEnabled) {
    expect(await page.evaluate(() => (window as unknown as { charterXss?: number }).charterXss)).toBeUndefined();
  }

  // Public at once at its own address, with the difference from the version before it marked word by word.
  const visitor = await browser.newPage();
  await visitor.goto(`/charter/v/${published}`);
  await expect(visitor.locator('#charter-fr')).toContainText(marker);
  await expect(visitor.locator('#charter-fr')).toContainText('<script>window.charterXss = 1</script>');
  await visitor.locator('#diff-link').click();
  await expect(visitor).toHaveURL(new RegExp(`/charter/diff\\?from=${published - 1}&to=${published}$`));
  const added = visitor.locator('#diff ins').filter({ hasText: marker });
  await expect(added).toHaveCount(1);
  // Not only colour: a visible sign, and words a screen reader reads out.
  await expect(added.locator('.diff-sign')).toHaveText('+');
  await expect(added).toContainText('[début d’ajout]');
  await expect(visitor.locator('#diff-summary')).toContainText(`à la version ${published}`);
  // The comparison is a plain GET form.
  await visitor.getByLabel('anglais (traduction)').check();
  await visitor.locator('#diff-form button[type=submit]').click();
  await expect(visitor).toHaveURL(/lang=en/);
  await expect(visitor.locator('#diff del').first()).toBeVisible();
  await visitor.close();

  // The customer: the notice is in their messages, and a banner asks them to acknowledge on every page of their
  // area without keeping them from using it.
  const customer = customers[project as keyof typeof customers];
  const context = await browser.newContext();
  const mine = await context.newPage();
  await logIn(mine, customer.email);
  await expect(mine).toHaveURL(/\/account$/);
  await mine.goto('/account/messages');
  await expect(mine.locator('body')).toContainText(new RegExp(`version ${published}\\b`));
  const banner = mine.locator('#charter-banner');
  await expect(banner).toBeVisible();
  await mine.goto('/account/consents');
  await expect(banner).toBeVisible();
  await expect(mine.getByRole('heading', { level: 1 })).toBeVisible();
  const asked = Number(await banner.getAttribute('data-version'));
  expect(asked).toBeGreaterThanOrEqual(published);
  await ready(mine);
  await tabTo(mine, mine.locator('#acknowledge-form button[type=submit]'));
  await mine.keyboard.press('Enter');
  await expect(mine).toHaveURL(/\/account\/consents\?done=charter-acknowledged/);
  await expect(mine.locator('#charter-acknowledged')).toBeFocused();
  // Gone, unless the other project published a newer version in the meantime. Read in one step that never waits:
  // counting first and then reading the attribute waited for ever when the banner went away in between.
  await expect(async () => {
    const shown = await mine
      .locator('#charter-banner')
      .evaluateAll((banners) => banners.map((banner) => Number(banner.getAttribute('data-version'))));
    expect(shown.filter((version) => version <= asked)).toEqual([]);
  }).toPass({ timeout: 10_000 });
  await context.close();
});

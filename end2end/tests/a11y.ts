import AxeBuilder from '@axe-core/playwright';
import { expect, Page, test as base } from '@playwright/test';

// The axe-core audit (WCAG 2.2 AA), with JavaScript on and off, and in both languages.
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export type Audit = (page: Page) => Promise<string[]>;

// axe is a script: in a page without JavaScript it cannot run. There the page's server-rendered document (what a
// browser without JavaScript shows) is copied into a second page of the same origin with JavaScript on, whose
// requests for the application's script are refused, so that it stays exactly that document, styles included.
export const test = base.extend<{ audit: Audit }>({
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

export async function expectNoViolations(page: Page, audit: Audit, path: string) {
  for (const language of LANGUAGES) {
    await chooseLanguage(page, language);
    await page.goto(path);
    await expect(page.locator('html')).toHaveAttribute('lang', language);
    await expect(page.locator('main h1').first()).toBeVisible();
    expect(await audit(page), `axe violations on ${path} in ${language}`).toEqual([]);
  }
  await chooseLanguage(page, 'fr');
}

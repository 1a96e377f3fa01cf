import { test } from '@playwright/test';

// Screenshots for README.md, taken from the real app. Opt-in so an ordinary test run leaves the tree unchanged:
// PORTAL_SCREENSHOTS=1 npx playwright test screenshots --project js-on
const widths = [360, 1280];

test.describe('README screenshots', () => {
  test.skip(process.env.PORTAL_SCREENSHOTS !== '1', 'set PORTAL_SCREENSHOTS=1 to refresh the README screenshots');

  for (const width of widths) {
    test(`home page at ${width}px`, async ({ page }) => {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.goto('/');
      await page.screenshot({ path: `screenshots/home-${width}.png`, fullPage: true });
    });
  }
});

import { expect, Page, test } from '@playwright/test';
import { customerPages, publicPages, staffPages } from './pages';
import { customer, DEMO_PASSWORD, enrolWithKeyboard, ready, signInWithKeyboard, tabTo } from './support';

// Keyboard use (WCAG 2.1.1, 2.4.3, 2.4.7): every control of every page is reached with Tab, in document order,
// with a visible focus indicator, and Tab leads out of the page again (no trap). The flows themselves are done with
// the keyboard alone in consent.spec.ts (customer and support) and charter.spec.ts (publishing).

type Stop = { index: number; outlined: boolean };

/** Tabs through the whole page; returns the controls it should reach and the stops it made, in order. */
async function tabThrough(page: Page): Promise<{ expected: number[]; stops: Stop[] }> {
  const expected = await page.evaluate(() => {
    const selector = [
      'a[href]',
      'button:not([disabled])',
      'input:not([type=hidden]):not([disabled])',
      'select:not([disabled])',
      'textarea:not([disabled])',
      'summary',
      '[tabindex]:not([tabindex="-1"])',
    ].join(',');
    const seenRadioGroups = new Set<string>();
    const reachable: number[] = [];
    [...document.querySelectorAll<HTMLElement>(selector)].forEach((element, index) => {
      element.dataset.tabStop = String(index);
      if (!element.checkVisibility({ visibilityProperty: true })) return;
      // A radio group is one Tab stop; the arrow keys move within it.
      if (element instanceof HTMLInputElement && element.type === 'radio') {
        if (seenRadioGroups.has(element.name)) return;
        seenRadioGroups.add(element.name);
        if (!element.checked && document.querySelector(`input[type=radio][name="${element.name}"]:checked`)) return;
      }
      reachable.push(index);
    });
    // Start from the top, as after loading the page.
    (document.activeElement as HTMLElement | null)?.blur();
    window.getSelection()?.removeAllRanges();
    return reachable;
  });
  const stops: Stop[] = [];
  for (let press = 0; press < 3 * expected.length + 5; press++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const active = document.activeElement as HTMLElement | null;
      if (!active || active === document.body || active.dataset.tabStop === undefined) return null;
      const style = getComputedStyle(active);
      const outlined =
        (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
      return { index: Number(active.dataset.tabStop), outlined };
    });
    if (stop === null) {
      if (stops.length > 0) break;
      continue;
    }
    // A date field takes one Tab per part (day, month, year): one control.
    if (stops.length > 0 && stops[stops.length - 1].index === stop.index) continue;
    // Past the last control, Tab leaves the page (to the browser, or back to the first control): no trap.
    if (stops.some((seen) => seen.index === stop.index)) break;
    stops.push(stop);
  }
  return { expected, stops };
}

async function expectEveryControlReachable(page: Page, path: string) {
  await page.goto(path);
  await ready(page);
  const { expected, stops } = await tabThrough(page);
  const reached = stops.map((stop) => stop.index);
  expect(reached, `Tab order on ${path}`).toEqual(expected);
  const unmarked = stops.filter((stop) => !stop.outlined).map((stop) => stop.index);
  expect(unmarked, `controls on ${path} whose focus is not visible`).toEqual([]);
}

// The check itself can fail: a control taken out of the Tab order, or a focus style removed, is reported.
test('the keyboard check reports an unreachable control and a hidden focus', async ({ page }) => {
  await page.route('**/keyboard-sanity', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!DOCTYPE html><html lang="fr"><head><title>Essai</title><link rel="stylesheet" href="/pkg/portal.css"><style>#b:focus-visible{outline:none}</style></head><body><main><h1>Essai</h1><a href="/">Un</a><button id="b">Deux</button><span tabindex="0" style="display:none">caché</span></main></body></html>',
    }),
  );
  await page.goto('/keyboard-sanity');
  const { expected, stops } = await tabThrough(page);
  expect(expected).toHaveLength(2);
  expect(stops.map((stop) => stop.index)).toEqual(expected);
  expect(stops.filter((stop) => !stop.outlined)).toHaveLength(1);
  await page.evaluate(() => document.querySelector('a')?.setAttribute('tabindex', '-1'));
  const again = await tabThrough(page);
  expect(again.stops.map((stop) => stop.index)).not.toEqual(again.expected);
});

test('the first Tab stop is the link that skips to the content', async ({ page }) => {
  await page.goto('/charter');
  await ready(page);
  await page.keyboard.press('Tab');
  const skip = page.locator('.skip-link');
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);
});

test('a customer signs in, reaches their consents and switches language with the keyboard alone', async ({ page }) => {
  await signInWithKeyboard(page, customer.email);

  await tabTo(page, page.locator('#consents-link'));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account\/consents$/);

  await tabTo(page, page.locator('#language-switch'));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account\/consents$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

test('every control of the public pages is reached with Tab and shows the focus', async ({ page }) => {
  test.setTimeout(90_000);
  for (const path of publicPages) await expectEveryControlReachable(page, path);
});

test('every control of the customer pages is reached with Tab and shows the focus', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('/login');
  await page.getByLabel('Adresse e-mail').fill('martin.keller@keller-velos.ch');
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await page.locator('#login-form button[type=submit]').click();
  await expect(page).toHaveURL(/\/account$/);
  for (const path of customerPages) await expectEveryControlReachable(page, path);
});

// A staff member of each project with every staff role, created by playwright.config.ts, enrolled here.
test('every control of the staff pages is reached with Tab and shows the focus', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  await enrolWithKeyboard(page, `keyboard.staff.${testInfo.project.name}@staff.portal.example`);
  for (const path of staffPages) await expectEveryControlReachable(page, path);
});

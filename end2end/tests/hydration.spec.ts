import { expect, Page, test } from '@playwright/test';
import { customerPages, publicPages, staffPages } from './pages';
import { enrolWithKeyboard, logIn, ready } from './support';

// Hydration adds behaviour, never moves what is on the screen: the sum of the layout shifts the browser reports
// (Layout Instability API, as Core Web Vitals' CLS counts them) from the first paint until some time after
// hydration is zero on every page. Only meaningful with JavaScript on.

/** The layout shifts recorded since the page started loading, waiting `settle` ms after hydration. */
async function layoutShiftAfterHydration(page: Page, path: string, settle = 500): Promise<number> {
  await page.goto(path);
  await ready(page);
  return page.evaluate(
    (settle) =>
      new Promise<number>((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
            if (!entry.hadRecentInput) total += entry.value;
          }
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => resolve(total), settle);
      }),
    settle,
  );
}

test.beforeEach(({ javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'without JavaScript nothing hydrates');
});

// The measure itself can fail: a page that pushes its content down after it was painted is reported. The banner
// waits for a painted frame (the second animation frame runs after the first paint): on a busy machine a fixed delay
// from the start could end before anything was painted, and content that moves before it is seen is no shift.
test('the measure reports a layout shift when there is one', async ({ page }) => {
  await page.route('**/shift-sanity', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!DOCTYPE html><html lang="fr" data-hydrated><head><title>Essai</title></head><body><main><h1>Essai</h1><p>Texte</p></main>
        <script>requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() =>
          document.querySelector('main').insertAdjacentHTML('afterbegin', '<div style="height:200px">Bandeau</div>'), 100)))</script></body></html>`,
    }),
  );
  expect(await layoutShiftAfterHydration(page, '/shift-sanity', 2_000)).toBeGreaterThan(0.01);
});

test('public pages do not move when they hydrate', async ({ page }) => {
  for (const path of publicPages) {
    expect(await layoutShiftAfterHydration(page, path), `layout shift on ${path}`).toBe(0);
  }
});

test('customer pages do not move when they hydrate', async ({ page }) => {
  test.setTimeout(60_000);
  await logIn(page, 'martin.keller@keller-velos.ch');
  await expect(page).toHaveURL(/\/account$/);
  for (const path of customerPages) {
    expect(await layoutShiftAfterHydration(page, path), `layout shift on ${path}`).toBe(0);
  }
});

test('staff pages do not move when they hydrate', async ({ page }) => {
  test.setTimeout(90_000);
  await enrolWithKeyboard(page, 'hydration.staff@staff.portal.example');
  for (const path of staffPages) {
    expect(await layoutShiftAfterHydration(page, path), `layout shift on ${path}`).toBe(0);
  }
});

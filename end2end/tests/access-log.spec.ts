import { readFileSync } from 'node:fs';
import { expect, Page, test } from '@playwright/test';
import { enrolWithKeyboard, logIn, submit } from './support';

// Each project (JavaScript on and off) runs at the same time with its own customer, so that each sees only the
// disclosures recorded by its own run, and its own privacy officer (created without a second factor by
// playwright.config.ts, enrolled by the test).
const people = {
  'js-on': { email: 'as.rochat@rochat-avocats.ch', number: 'C-100003' },
  'js-off': { email: 'elodie.perrin@bluewin.ch', number: 'C-100005' },
};
function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

async function recordDisclosure(page: Page, number: string, reference: string, notifyAfter: string) {
  await page.goto('/privacy/disclosures');
  await page.getByLabel('Numéro de client').fill(number);
  await page.getByLabel('Autorité', { exact: true }).fill('Tribunal cantonal vaudois');
  await page.getByLabel('Référence de la décision').fill(reference);
  await page.getByLabel('Date de la décision').fill(isoDay(-10));
  await page.getByLabel('Étendue').fill('Identité du titulaire du contrat');
  await page.getByLabel('Ne pas informer le client avant le (facultatif)').fill(notifyAfter);
  await submit(page, '#disclosure-form', () => expect(page).toHaveURL(/done=recorded/));
  await expect(page.locator('#ledger')).toContainText(reference);
}

test('a customer sees who accessed their data and downloads the log as CSV and JSON', async ({ page }, testInfo) => {
  const who = people[testInfo.project.name as keyof typeof people];
  await logIn(page, who.email);
  await expect(page).toHaveURL(/\/account$/);
  await page.locator('#access-log-link').click();
  await expect(page).toHaveURL(/\/account\/access-log$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Qui a accédé à mes données');
  await expect(page.locator('#verification')).toContainText(/Journal (pas encore vérifié|vérifié jusqu’à l’entrée)/);
  // What the page's own inclusion proofs show against the newest signed checkpoint.
  await expect(page.locator('#inclusion')).toContainText(
    /(Aucun point de contrôle signé|prouvée\(s\) dans le journal signé le)/,
  );

  // The filter is a plain GET form: the query string carries it, with or without JavaScript.
  await page.getByLabel('Résultat').selectOption('denied');
  await page.locator('#log-filters button[type=submit]').click();
  await expect(page).toHaveURL(/outcome=denied/);
  await expect(page.getByLabel('Résultat')).toHaveValue('denied');

  const csv = page.waitForEvent('download');
  await page.locator('#export-csv').click();
  const csvFile = await csv;
  expect(csvFile.suggestedFilename()).toBe('access-log.csv');
  const csvText = readFileSync((await csvFile.path()) ?? '', 'utf8');
  expect(csvText.split('\n')[0]).toBe(
    'id,at,event_code,event,actor_kind,actor_name,actor_job_title,actor_roles,resource,action,basis,basis_ref,basis_rule,outcome,source,detail,hash',
  );

  const json = page.waitForEvent('download');
  await page.locator('#export-json').click();
  const jsonFile = await json;
  expect(jsonFile.suggestedFilename()).toBe('access-log.json');
  const document = JSON.parse(readFileSync((await jsonFile.path()) ?? '', 'utf8'));
  expect(document.schema).toBe('privacy-portal/access-log/v1');
  expect(document.customer).toBe(who.number);
  expect(Array.isArray(document.entries)).toBe(true);
  // The seal lists exactly the entries of the file, in their order, for `server verify-export`.
  expect(document.seal.entries.map((sealed: [number, string]) => sealed[0])).toEqual(
    document.entries.map((entry: { id: number }) => entry.id),
  );
});

test('a disclosure whose deferral has passed shows in the customer’s log; a deferred one does not', async (
  { page, browser, baseURL, javaScriptEnabled },
  testInfo,
) => {
  test.setTimeout(120_000);
  const who = people[testInfo.project.name as keyof typeof people];
  const shown = `E2E-${testInfo.project.name}-passe-${Date.now()}`;
  const deferred = `E2E-${testInfo.project.name}-futur-${Date.now()}`;

  await enrolWithKeyboard(page, `disclosure.officer.${testInfo.project.name}@staff.portal.example`);
  await page.locator('#privacy-tools a[href="/privacy/disclosures"]').click();
  await expect(page).toHaveURL(/\/privacy\/disclosures$/);
  await recordDisclosure(page, who.number, shown, isoDay(-1));
  await recordDisclosure(page, who.number, deferred, isoDay(30));
  await expect(page.locator('#ledger li', { hasText: deferred })).toContainText('cachée au client');
  await expect(page.locator('#ledger li', { hasText: shown })).toContainText('visible par le client');

  // An order dated in the future is refused next to its field, and nothing is recorded.
  await page.getByLabel('Numéro de client').fill(who.number);
  await page.getByLabel('Autorité', { exact: true }).fill('Tribunal cantonal vaudois');
  await page.getByLabel('Référence de la décision').fill('date-future');
  await page.getByLabel('Date de la décision').fill(isoDay(400));
  await page.getByLabel('Étendue').fill('Identité');
  await submit(page, '#disclosure-form', () => expect(page.locator('#field-ordered_on-error')).toBeVisible());
  await expect(page.locator('#ledger')).not.toContainText('date-future');

  const customerContext = await browser.newContext({ baseURL, javaScriptEnabled });
  const customer = await customerContext.newPage();
  await logIn(customer, who.email);
  await expect(customer).toHaveURL(/\/account$/);
  await customer.goto('/account/access-log');
  const entries = customer.locator('#access-log');
  await expect(entries).toContainText(shown);
  await expect(entries).toContainText('ordonnée par un tribunal suisse');
  await expect(entries).not.toContainText(deferred);
  await customerContext.close();
});

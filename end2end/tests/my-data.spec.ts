import { expect, test } from '@playwright/test';
import { chooseWithArrows, expectDone, logIn, loneCustomerFor, ready, replaceText, sendWithKeyboard, tabTo } from './support';

// Each project (JavaScript on and off) uses its own customer, so the two runs never correct the same record. Only
// the phone is corrected: the other specs do not read it, and the sign-in address stays as it is. The forms are used
// with the keyboard alone.
test('a customer reads what is stored about them, corrects their phone, files a request and exports everything', async (
  { page },
  testInfo,
) => {
  const who = loneCustomerFor(testInfo.project.name);
  await logIn(page, who.email);
  await expect(page).toHaveURL(/\/account$/);
  await page.locator('#my-data-link').click();
  await expect(page).toHaveURL(/\/account\/data$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes données');
  const fields = page.locator('#personal-fields');
  await expect(fields.locator('[data-field]')).toHaveCount(9);
  await expect(fields).toContainText('vous identifier en tant que titulaire d’un contrat');
  await expect(fields).toContainText('lors du transfert d’un contrat entre deux entités');
  await expect(page.locator('#contracts')).toContainText('hébergement web');

  // A wrong number: the error is announced and takes the focus, and it is next to the field, whatever the JavaScript.
  await ready(page);
  const phoneField = page.getByLabel('Téléphone', { exact: true });
  await tabTo(page, phoneField);
  await replaceText(page, '011 123');
  await page.keyboard.press('Enter');
  await expect(page.locator('#field-phone-error')).toBeVisible();
  await expect(page.getByRole('alert')).toBeFocused();
  await expect(phoneField).toHaveAttribute('aria-invalid', 'true');

  // The Swiss way of writing it is stored in E.164, and the page says who changed it.
  await tabTo(page, phoneField);
  await replaceText(page, '079 123 45 67');
  await page.keyboard.press('Enter');
  await expectDone(page, 'corrected');
  const phone = fields.locator('[data-field="phone"]');
  await expect(phone).toContainText('+41791234567');
  await expect(phone).toContainText('par vous');

  // A request about their data, with its 30-day clock.
  const text = `Question du projet ${testInfo.project.name}`;
  await chooseWithArrows(page, page.getByLabel('Type de demande'), 'question');
  await tabTo(page, page.getByLabel('Votre demande'));
  await page.keyboard.type(text);
  await sendWithKeyboard(page, page.locator('#request-form button[type=submit]'), 'request-filed');
  const mine = page.locator('#my-requests');
  await expect(mine).toContainText(text);
  await expect(mine).toContainText(/29 jours restants|30 jours restants/);

  // Everything, as JSON and as a readable page.
  const response = await page.request.get('/account/data/export.json');
  expect(response.status()).toBe(200);
  const document = await response.json();
  expect(document.schema).toBe('privacy-portal/my-data/v1');
  expect(document.schema_version).toBe(1);
  expect(document.personal_data).toHaveLength(9);
  expect(document.data_requests.some((request: { body: string }) => request.body === text)).toBe(true);
  expect(Array.isArray(document.access_log)).toBe(true);
  await page.goto('/account/data');
  await page.locator('#export-html').click();
  await expect(page).toHaveURL(/\/account\/data\/export$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tout ce que nous conservons à votre sujet');
  await expect(page.locator('#export-data_requests')).toContainText(text);
  await expect(page.locator('#export-access_log')).toContainText('Journal des accès');
});

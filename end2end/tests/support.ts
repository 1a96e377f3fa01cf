import { createHmac } from 'node:crypto';
import { expect, Locator, Page, test } from '@playwright/test';

export const DEMO_PASSWORD = 'portail-demo-2026';

export const customer = { email: 'jeanne.favre@boulangerie-favre.ch', name: 'Jeanne Favre' };
// The two projects (JavaScript on and off) run at the same time: each signs in as its own people, since a TOTP
// code is accepted only once and "this session" must be the only one.
const supportStaff = {
  'js-on': { email: 'camille.rey@staff.portal.example', name: 'Camille Rey', totpSecret: 'MNQW22LMNRSS44TFPEWWIZLNN4WXI33U' },
  'js-off': { email: 'samuel.dubois@staff.portal.example', name: 'Samuel Dubois', totpSecret: 'ONQW25LFNQXGI5LCN5UXGLLEMVWW6LLU' },
};
const loneCustomers = {
  'js-on': { email: 'luca@studio-bernasconi.ch', name: 'Luca Bernasconi' },
  'js-off': { email: 'martin.keller@keller-velos.ch', name: 'Martin Keller' },
};

export function supportFor(project: string) {
  return supportStaff[project as keyof typeof supportStaff];
}

export function loneCustomerFor(project: string) {
  return loneCustomers[project as keyof typeof loneCustomers];
}

function base32Decode(input: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of input.replace(/=+$/, '')) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 (SHA-1, 6 digits, 30 s), as an authenticator app computes it. */
export function totp(secret: string, at = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, '0');
}

/** Submits a form, retrying while the page is not hydrated yet (a click before hydration may be lost). */
export async function submit(page: Page, formSelector: string, until: () => Promise<void>) {
  await expect(async () => {
    if (await page.locator(formSelector).count()) {
      // Not the default of waiting without limit: the form goes away when an earlier attempt went through.
      await page.locator(`${formSelector} button[type=submit]`).click({ timeout: 2_000 });
    }
    await until();
  }).toPass({ timeout: 20_000 });
}

export async function logIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.locator('#login-form button[type=submit]').click();
}

/** Moves the focus with Tab alone until `target` has it, as someone without a mouse does. */
export async function tabTo(page: Page, target: Locator, maxStops = 60) {
  for (let stop = 0; stop < maxStops; stop++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`${target} is not reachable with Tab within ${maxStops} stops`);
}

/** With JavaScript on, waits until the page is hydrated (its handlers attached); without, the page is ready as is. */
export async function ready(page: Page) {
  if (test.info().project.use.javaScriptEnabled !== false) {
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');
  }
}

/** Fills the sign-in form with the demo password and sends it, with the keyboard alone. */
async function sendCredentialsWithKeyboard(page: Page, email: string) {
  await page.goto('/login');
  await ready(page);
  await tabTo(page, page.getByLabel('Adresse e-mail'));
  await page.keyboard.type(email);
  await tabTo(page, page.getByLabel('Mot de passe'));
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
}

/** Signs in a staff member created without a second factor and enrols one, with the keyboard alone; returns the
 * TOTP secret for later sign-ins. */
export async function enrolWithKeyboard(page: Page, email: string): Promise<string> {
  await sendCredentialsWithKeyboard(page, email);
  await expect(page).toHaveURL(/\/login\/enrol$/);
  await ready(page);
  const secret = (await page.locator('#totp-secret').textContent())?.trim() ?? '';
  await tabTo(page, page.getByLabel('Code', { exact: true }));
  await page.keyboard.type(totp(secret));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/login\/recovery-codes$/);
  await ready(page);
  await tabTo(page, page.locator('#continue'));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/staff$/);
  return secret;
}

/** Signs a customer in with the keyboard alone. */
export async function signInWithKeyboard(page: Page, email: string) {
  await sendCredentialsWithKeyboard(page, email);
  await expect(page).toHaveURL(/\/account$/);
  await ready(page);
}

/** Replaces the text of the focused field, as selecting all and typing (or pasting) does. */
export async function replaceText(page: Page, text: string) {
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

/** Chooses an option of the focused select with the arrow keys, as a keyboard user does. */
export async function chooseWithArrows(page: Page, select: Locator, value: string) {
  await tabTo(page, select);
  for (let step = 0; step < 20 && (await select.inputValue()) !== value; step++) {
    await page.keyboard.press('ArrowDown');
  }
  await expect(select).toHaveValue(value);
}

/** Checks that a form led to its outcome and that the outcome took the focus, as a screen reader announces it. */
export async function expectDone(page: Page, done: string) {
  await expect(page).toHaveURL(new RegExp(`done=${done}`));
  await expect(page.locator('#done-notice')).toBeFocused();
}

/** Reaches `button` with Tab, sends its form with Enter, and checks the outcome. */
export async function sendWithKeyboard(page: Page, button: Locator, done: string) {
  await tabTo(page, button);
  await page.keyboard.press('Enter');
  await expectDone(page, done);
}

import { createHmac } from 'node:crypto';
import { expect, Page } from '@playwright/test';

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
      await page.locator(`${formSelector} button[type=submit]`).click();
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

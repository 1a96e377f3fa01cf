import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { logIn, submit, totp } from './support';

// Each project (JavaScript on and off) runs at the same time with its own agent and customer, so that neither sees
// the other's requests. The agents are created by playwright.config.ts and enrol at their first sign-in.
const people = {
  'js-on': {
    agent: 'consent.agent.js-on@staff.portal.example',
    customer: { email: 'as.rochat@rochat-avocats.ch', number: 'C-100003', mailbox: 'mailbox:as.rochat@rochat-avocats.ch' },
  },
  'js-off': {
    agent: 'consent.agent.js-off@staff.portal.example',
    customer: { email: 'elodie.perrin@bluewin.ch', number: 'C-100005', mailbox: 'mailbox:contact@perrin-photo.ch' },
  },
};

async function signInNewAgent(page: Page, email: string) {
  await logIn(page, email);
  await expect(page).toHaveURL(/\/login\/enrol$/);
  const secret = (await page.locator('#totp-secret').textContent())?.trim() ?? '';
  await page.getByLabel('Code', { exact: true }).fill(totp(secret));
  await page.locator('#enrol-form button[type=submit]').click();
  await expect(page).toHaveURL(/\/login\/recovery-codes$/);
  await page.locator('#continue').click();
  await expect(page).toHaveURL(/\/staff$/);
}

/** What the operator's mail platform would ask before the agent opens the mailbox. */
async function accessCheck(request: APIRequestContext, staff: string, customer: string, resource: string) {
  const output = readFileSync(join(process.env.PORTAL_E2E_DATA_DIR ?? '', 'e2e-api-token'), 'utf8');
  const token = output.trim().split('\n').pop() ?? '';
  const response = await request.post('/api/v1/access-checks', {
    headers: { authorization: `Bearer ${token}` },
    data: { staff, customer, resource, action: 'read' },
  });
  expect(response.status()).toBe(200);
  return response.json();
}

function query(page: Page, name: string): string {
  return new URL(page.url()).searchParams.get(name) ?? '';
}

test('support asks for mailbox access for a case, the customer approves, resolving the case ends it', async (
  { page, browser, baseURL, javaScriptEnabled, request },
  testInfo,
) => {
  test.setTimeout(120_000);
  const who = people[testInfo.project.name as keyof typeof people];

  await signInNewAgent(page, who.agent);
  await page.locator('#support-tools a[href="/staff/cases"]').click();
  await expect(page).toHaveURL(/\/staff\/cases$/);
  await page.getByLabel('Numéro de client').fill(who.customer.number);
  await page.getByLabel('Sujet').fill('Les messages n’arrivent plus');
  await submit(page, '#open-case-form', () => expect(page).toHaveURL(/done=opened/));
  const caseId = query(page, 'case');
  await expect(page.locator('#opened-case-id')).toHaveText(caseId);

  await page.locator('#request-for-case').click();
  await expect(page).toHaveURL(/\/staff\/consents\/new\?/);
  await expect(page.getByLabel('Numéro de client')).toHaveValue(who.customer.number);
  await expect(page.getByLabel('Cas de support')).toHaveValue(caseId);
  await page.getByLabel('Donnée concernée').fill(who.customer.mailbox);
  await page.getByLabel('Motif', { exact: true }).selectOption('customer-support');
  await page.getByLabel('Explication pour le client').fill('Vérifier pourquoi la boîte de réception reste vide.');
  await page.getByLabel('Durée demandée, en minutes').fill('120');
  await submit(page, '#request-form', () => expect(page).toHaveURL(/done=requested/));
  const requestId = query(page, 'request');
  const queued = page.locator(`#my-pending li[data-request="${requestId}"]`);
  await expect(queued).toContainText('en attente, encore 23 h');

  const customerContext = await browser.newContext({ baseURL, javaScriptEnabled });
  const customer = await customerContext.newPage();
  await logIn(customer, who.customer.email);
  await expect(customer).toHaveURL(/\/account$/);
  // The dashboard says at a glance that a request waits and that nobody has access yet.
  await expect(customer.locator('#pending-count')).toContainText('Demandes d’accès qui attendent votre réponse : 1');
  await expect(customer.locator('#nobody-has-access')).toBeVisible();
  await customer.locator('#consents-link').click();
  await expect(customer).toHaveURL(/\/account\/consents$/);
  const pending = customer.locator(`#pending-requests li[data-request="${requestId}"]`);
  await expect(pending.locator('.requester')).toHaveText('Agent consentement (support)');
  await expect(pending).toContainText('Vérifier pourquoi la boîte de réception reste vide.');
  await expect(pending).toContainText('Les messages n’arrivent plus');
  await expect(pending).toContainText('2 h à partir de votre accord');
  await pending.getByLabel('Durée accordée, en minutes').fill('60');
  await submit(customer, `#pending-requests li[data-request="${requestId}"] .approve-form`, () =>
    expect(customer).toHaveURL(/done=approved/),
  );
  const active = customer.locator('#active-grants li');
  await expect(active).toHaveCount(1);
  await expect(active.locator('.time-left')).toHaveText(/^(59 min|1 h)$/);
  const grantId = (await active.getAttribute('data-grant')) ?? '';

  const allowed = await accessCheck(request, who.agent, who.customer.number, who.customer.mailbox);
  expect(allowed).toMatchObject({ decision: 'allow', basis: 'grant', grant_id: Number(grantId) });
  await customer.goto('/account');
  await expect(customer.locator('#active-access li')).toHaveCount(1);
  await expect(customer.locator('#active-access li')).toContainText(`boîte mail ${who.customer.mailbox.replace('mailbox:', '')} : lire`);
  await expect(customer.locator('#pending-count')).toHaveCount(0);
  await expect(customer.locator('#recent-access li.log-entry').first()).toBeVisible();

  await page.goto('/staff/cases');
  await submit(page, `#open-cases li[data-case="${caseId}"] .resolve-form`, () =>
    expect(page).toHaveURL(/done=resolved/),
  );
  await expect(page.locator(`#open-cases li[data-case="${caseId}"]`)).toHaveCount(0);

  const denied = await accessCheck(request, who.agent, who.customer.number, who.customer.mailbox);
  expect(denied).toMatchObject({ decision: 'deny', basis: 'no-active-grant' });

  await customer.goto('/account');
  await expect(customer.locator('#nobody-has-access')).toBeVisible();
  await customer.goto('/account/consents');
  await expect(customer.locator('#no-active')).toBeVisible();
  await expect(customer.locator(`#ended-grants li[data-grant="${grantId}"] .end-reason`)).toHaveText('cas de support résolu');
  await customerContext.close();
});

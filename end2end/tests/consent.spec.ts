import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APIRequestContext, expect, Page } from '@playwright/test';
import { expectNoViolations, test } from './a11y';
import { mailsTo } from './mail';
import {
  chooseWithArrows,
  enrolWithKeyboard,
  expectDone,
  logIn,
  ready,
  replaceText,
  sendWithKeyboard,
  signInWithKeyboard,
  submit,
  tabTo,
  totp,
} from './support';

// The two tests of a project share its customer: they run one after the other.
test.describe.configure({ mode: 'serial' });

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

/** Fills the new-request form field by field with the keyboard and sends it with Enter. */
async function requestWithKeyboard(page: Page, customer: string, caseId: string, resource: string, why: string) {
  await tabTo(page, page.getByLabel('Numéro de client'));
  await replaceText(page, customer);
  await tabTo(page, page.getByLabel('Donnée concernée'));
  await replaceText(page, resource);
  await chooseWithArrows(page, page.getByLabel('Motif', { exact: true }), 'incident-response');
  await tabTo(page, page.getByLabel('Explication pour le client'));
  await replaceText(page, why);
  await tabTo(page, page.getByLabel('Cas de support'));
  await replaceText(page, caseId);
  await tabTo(page, page.getByLabel('Durée demandée, en minutes'));
  await replaceText(page, '90');
  await page.keyboard.press('Enter');
}

test('support and the customer request, refuse, accept, revoke and record consent with the keyboard alone', async (
  { page, browser, baseURL, javaScriptEnabled, audit },
  testInfo,
) => {
  test.setTimeout(240_000);
  const project = testInfo.project.name;
  const who = people[project as keyof typeof people];
  await enrolWithKeyboard(page, `keyboard.agent.${project}@staff.portal.example`);

  // A support case, opened with the keyboard; the confirmation takes the focus and leads on to a request.
  await tabTo(page, page.locator('#support-tools a[href="/staff/cases"]'));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/staff\/cases$/);
  await tabTo(page, page.getByLabel('Numéro de client'));
  await page.keyboard.type(who.customer.number);
  await tabTo(page, page.getByLabel('Sujet'));
  await page.keyboard.type('Boîte pleine');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/done=opened/);
  await expect(page.locator('#case-opened')).toBeFocused();
  const caseId = query(page, 'case');
  await page.keyboard.press('Tab');
  await expect(page.locator('#request-for-case')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/staff\/consents\/new\?/);
  await ready(page);

  // A mistake is announced and takes the focus; the field says it is the one in error.
  await requestWithKeyboard(page, who.customer.number, caseId, 'mailbox:inconnu@example.ch', 'Vider la boîte.');
  await expect(page.getByRole('alert')).toBeFocused();
  await expect(page.getByLabel('Donnée concernée')).toHaveAttribute('aria-invalid', 'true');
  await requestWithKeyboard(page, who.customer.number, caseId, who.customer.mailbox, 'Première demande, à refuser.');
  await expectDone(page, 'requested');
  const refused = query(page, 'request');
  const requested: string[] = [];
  for (const why of ['Deuxième demande, à accepter.', 'Troisième demande, à retirer.']) {
    await page.goto(`/staff/consents/new?customer=${who.customer.number}&case=${caseId}`);
    await ready(page);
    await requestWithKeyboard(page, who.customer.number, caseId, who.customer.mailbox, why);
    await expect(page).toHaveURL(/done=requested/);
    requested.push(query(page, 'request'));
  }
  const [accepted, withdrawn] = requested;
  // The support queue with requests waiting, audited in both languages.
  await expectNoViolations(page, audit, '/staff/consents');

  // The customer refuses one request with a reason and accepts another for less time than asked.
  const customerContext = await browser.newContext({ baseURL, javaScriptEnabled });
  const customer = await customerContext.newPage();
  await signInWithKeyboard(customer, who.customer.email);
  await expectNoViolations(customer, audit, '/account');
  await expectNoViolations(customer, audit, '/account/consents');
  await customer.goto('/account/consents');
  await ready(customer);
  const toRefuse = customer.locator(`#pending-requests li[data-request="${refused}"]`);
  await tabTo(customer, toRefuse.getByLabel('Motif du refus (facultatif)'));
  await customer.keyboard.type('Pas maintenant, merci.');
  await sendWithKeyboard(customer, toRefuse.locator('.deny-form button[type=submit]'), 'denied');

  const toAccept = customer.locator(`#pending-requests li[data-request="${accepted}"]`);
  await tabTo(customer, toAccept.getByLabel('Durée accordée, en minutes'));
  await replaceText(customer, '30');
  await customer.keyboard.press('Enter');
  await expectDone(customer, 'approved');
  const grant = customer.locator('#active-grants li');
  await expect(grant).toHaveCount(1);
  await expect(grant.locator('.time-left')).toHaveText(/^(29|30) min$/);
  const grantId = (await grant.getAttribute('data-grant')) ?? '';
  await expectNoViolations(customer, audit, '/account');
  await expectNoViolations(customer, audit, '/account/consents');

  // …and takes it back.
  await customer.goto('/account/consents');
  await ready(customer);
  await sendWithKeyboard(customer, customer.locator(`#active-grants li[data-grant="${grantId}"] .revoke-form button`), 'revoked');
  await expect(customer.locator('#no-active')).toBeVisible();

  // Then gives access of their own accord, for the open case.
  await chooseWithArrows(customer, customer.locator('#grant-form').getByLabel('Donnée concernée'), who.customer.mailbox);
  await chooseWithArrows(customer, customer.locator('#grant-form').getByLabel('Cas de support'), caseId);
  await sendWithKeyboard(customer, customer.locator('#grant-form button[type=submit]'), 'granted');
  await expect(customer.locator('#active-grants li')).toHaveCount(1);

  // The customer is mailed that the access they took back has ended.
  await expect
    .poll(() => mailsTo(who.customer.email).filter((mail) => mail.text.includes(`accord ${grantId})`)).length)
    .toBe(1);
  expect(mailsTo(who.customer.email).find((mail) => mail.text.includes(`accord ${grantId})`))?.text).toContain(
    'vous l’avez retiré',
  );

  // The agent's queue marks the refusal as news, and their mailbox holds the notice.
  await page.goto('/staff/consents');
  await ready(page);
  const refusedCard = page.locator(`#queue-history li[data-request="${refused}"]`);
  await expect(refusedCard).toHaveClass(/news/);
  await expect(refusedCard.locator('.news-mark')).toHaveText('Nouveau depuis votre dernière visite');
  await expect(refusedCard.locator('.state')).toContainText('refusée');
  await expect
    .poll(() =>
      mailsTo(`keyboard.agent.${project}@staff.portal.example`).some((mail) =>
        mail.subject.endsWith(`Request ${refused} denied`),
      ),
    )
    .toBe(true);

  // Support withdraws the request nobody answered and records consent given on the phone.
  await sendWithKeyboard(page, page.locator(`li[data-request="${withdrawn}"] .withdraw-form button`), 'withdrawn');
  await page.goto(`/staff/consents/oral?customer=${who.customer.number}&case=${caseId}`);
  await ready(page);
  await tabTo(page, page.getByLabel('Donnée concernée'));
  await page.keyboard.type(who.customer.mailbox);
  await tabTo(page, page.getByLabel('Comment l’appelant a été identifié'));
  await page.keyboard.type('Rappelée au numéro du contrat, numéro de client confirmé.');
  await tabTo(page, page.getByLabel('Référence de l’appel'));
  await page.keyboard.type('APP-2026-11-27-7');
  await tabTo(page, page.getByLabel('Ce qui a été relu au client'));
  await page.keyboard.type('Lire la boîte mail pendant une heure pour le cas ouvert.');
  await sendWithKeyboard(page, page.locator('#oral-consent-form button[type=submit]'), 'recorded');
  await customer.goto('/account/consents');
  await expect(customer.locator('#active-grants li')).toHaveCount(2);
  await expect(customer.locator('#active-grants')).toContainText('APP-2026-11-27-7');

  // Resolving the case ends both mailbox grants (the first test's grant ended the same way).
  const endedByCase = customer.locator('#ended-grants li .end-reason').filter({ hasText: 'cas de support résolu' });
  const endedBefore = await endedByCase.count();
  await page.goto('/staff/cases');
  await ready(page);
  await sendWithKeyboard(page, page.locator(`#open-cases li[data-case="${caseId}"] .resolve-form button`), 'resolved');
  await customer.goto('/account/consents');
  await expect(customer.locator('#no-active')).toBeVisible();
  await expect(endedByCase).toHaveCount(endedBefore + 2);
  // Every ended state and the access log that records them, audited in both languages.
  await expectNoViolations(customer, audit, '/account/consents');
  await expectNoViolations(customer, audit, '/account/access-log');
  await customerContext.close();
});

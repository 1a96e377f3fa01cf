import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { customer, logIn, submit } from './support';

// Each project revokes a grant of its own customer's backup space; both receivers get every event and look for
// their own grant's.
const people = {
  'js-on': { email: customer.email, backupSpace: 'backup-space:backup-boulangerie-favre' },
  'js-off': { email: 'martin.keller@keller-velos.ch', backupSpace: 'backup-space:backup-keller-velos' },
};

interface Delivery {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  receivedAt: number;
}

/** A webhook receiver on a random loopback port, as the operator's mail platform would run one. */
async function startReceiver(): Promise<{ server: Server; url: string; deliveries: Delivery[] }> {
  const deliveries: Delivery[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({
        id: String(request.headers['webhook-id']),
        timestamp: String(request.headers['webhook-timestamp']),
        signature: String(request.headers['webhook-signature']),
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/portal-events`, deliveries };
}

/** The Standard Webhooks check a receiver makes: HMAC-SHA256 over "id.timestamp.body" with the endpoint's secret. */
function signedBy(secret: string, delivery: Delivery): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${delivery.id}.${delivery.timestamp}.${delivery.body}`).digest('base64');
  return delivery.signature.split(' ').includes(`v1,${expected}`);
}

test('a revocation in the browser reaches the infrastructure as a signed grant.revoked within 2 s', async ({ page, request }, testInfo) => {
  test.setTimeout(60_000);
  const who = people[testInfo.project.name as keyof typeof people];
  const output = readFileSync(join(process.env.PORTAL_E2E_DATA_DIR ?? '', 'e2e-events-token'), 'utf8');
  const token = output.trim().split('\n').pop() ?? '';
  const receiver = await startReceiver();
  const registered = await request.post('/api/v1/webhooks', {
    headers: { authorization: `Bearer ${token}` },
    data: { url: receiver.url },
  });
  expect(registered.status()).toBe(201);
  const { id: endpoint, secret } = await registered.json();

  try {
    await logIn(page, who.email);
    await expect(page).toHaveURL(/\/account$/);
    await page.goto('/account/consents');
    const grantIds = async () =>
      (await page.locator('#active-grants li[data-grant]').evaluateAll((items) => items.map((item) => item.getAttribute('data-grant')))).map(Number);
    const before = await grantIds();
    await page.locator('#grant-form').getByLabel('Donnée concernée').selectOption(who.backupSpace);
    await submit(page, '#grant-form', () => expect(page).toHaveURL(/done=granted/));
    const grantId = (await grantIds()).find((id) => !before.includes(id)) ?? 0;
    expect(grantId).toBeGreaterThan(0);

    const revokedAt = Date.now();
    await submit(page, `#active-grants li[data-grant="${grantId}"] .revoke-form`, () => expect(page).toHaveURL(/done=revoked/));
    const revocation = () =>
      receiver.deliveries.find((delivery) => {
        const event = JSON.parse(delivery.body);
        return event.type === 'grant.revoked' && event.data.grant === grantId;
      });
    await expect.poll(revocation, { timeout: 5_000, intervals: [50] }).toBeDefined();
    const delivery = revocation() as Delivery;
    expect(delivery.receivedAt - revokedAt).toBeLessThanOrEqual(2_000);
    expect(signedBy(secret, delivery)).toBe(true);
    expect(JSON.parse(delivery.body).data).toMatchObject({ grant: grantId, resource: who.backupSpace, state: 'ended', end_reason: 'revoked' });
    const created = receiver.deliveries.find((d) => JSON.parse(d.body).type === 'grant.created' && JSON.parse(d.body).data.grant === grantId);
    expect(created).toBeDefined();
  } finally {
    await request.delete(`/api/v1/webhooks/${endpoint}`, { headers: { authorization: `Bearer ${token}` } });
    receiver.server.close();
  }
});

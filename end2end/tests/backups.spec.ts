import { expect, test } from '@playwright/test';
import { logIn } from './support';

// The demo customer with backups (server::backups::seed_demo_backups); the my-data spec also signs in as them,
// and only reads and corrects the phone, which this page does not show.
const keller = 'martin.keller@keller-velos.ch';

// Keller Velos's backups (server seed-demo): a web-space snapshot taken 20 hours ago, a backup-space one taken
// 5 days 3 hours ago, and a mailbox one taken 8 days ago and confirmed destroyed. The page is server-rendered, so it
// reads the same with and without JavaScript; both projects only read it.
test('a customer sees every backup with its due date, the time left and the destruction once confirmed', async ({ page }) => {
  await logIn(page, keller);
  await expect(page).toHaveURL(/\/account$/);
  await page.locator('#backups-link').click();
  await expect(page).toHaveURL(/\/account\/backups$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes sauvegardes');
  await expect(page.locator('.lead')).toContainText('7 jours');

  const rows = page.locator('#backups tbody tr');
  await expect(rows).toHaveCount(3);

  const web = page.locator('[data-snapshot="demo-keller-web-1"]');
  await expect(web).toContainText('hébergement web keller-velos.ch');
  await expect(web.locator('.state')).toHaveText(/^détruite dans 6 j \d+ h$/);
  await expect(web.locator('.contract')).toHaveText('K-100004-1');

  const backup = page.locator('[data-snapshot="demo-keller-backup-1"]');
  await expect(backup).toContainText('espace de backup backup-keller-velos');
  await expect(backup.locator('.state')).toHaveText(/^détruite dans 1 j \d+ h$/);

  // Due 7 days after it was taken, to the minute.
  const taken = new Date((await web.locator('time').first().getAttribute('datetime')) ?? '');
  const due = new Date((await web.locator('time.due').getAttribute('datetime')) ?? '');
  expect(due.getTime() - taken.getTime()).toBe(7 * 86_400_000);

  const mail = page.locator('[data-snapshot="demo-keller-mail-1"]');
  await expect(mail).toHaveClass(/destroyed/);
  await expect(mail.locator('.state')).toHaveText(/^détruite le \d{2}\.\d{2}\.\d{4} à \d{2}:\d{2} UTC$/);
});

test('a customer without backups is told so', async ({ page }, testInfo) => {
  const who = testInfo.project.name === 'js-on' ? 'as.rochat@rochat-avocats.ch' : 'elodie.perrin@bluewin.ch';
  await logIn(page, who);
  await expect(page).toHaveURL(/\/account$/);
  await page.goto('/account/backups');
  await expect(page.locator('#backups')).toHaveText('Aucune sauvegarde de vos données n’est enregistrée.');
});

test('the backups page needs a signed-in customer', async ({ page }) => {
  await page.goto('/account/backups');
  await expect(page).toHaveURL(/\/login\?next=%2Faccount%2Fbackups|\/login\?next=\/account\/backups/);
});

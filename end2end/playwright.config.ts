import { defineConfig } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The suite runs against the release site: `bash .ci/build-site` first, or `bash .ci/demo` (see README.md).
const port = Number(process.env.PORTAL_E2E_PORT ?? 3457);
const root = resolve(__dirname, '..');
// CI points PORTAL_E2E_SERVER at the server of its test build (see .ci/test); the bundle is the release one either way.
const server = process.env.PORTAL_E2E_SERVER ?? join(root, 'target', 'cargo', 'release', 'server');
// Workers load this file again; the runner's choice reaches them (and the tests that read the API token) through
// the environment they inherit.
process.env.PORTAL_E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'portal-e2e-'));
const dataDir = process.env.PORTAL_E2E_DATA_DIR;
/** The SMTP server the portal sends to: the mail tests' aiosmtpd sink, which stores each message it receives. */
const smtpPort = Number(process.env.PORTAL_E2E_SMTP_PORT ?? port + 1);
process.env.PORTAL_E2E_MAIL_DIR ??= join(dataDir, 'smtp-sink');
/** The server's standard error, which tests/server-log.teardown.ts reads for panics once the suite has run. */
process.env.PORTAL_E2E_SERVER_LOG ??= join(dataDir, 'server.log');
const serverLog = process.env.PORTAL_E2E_SERVER_LOG;
/** The integration API's bearer token for access checks; tests/consent.spec.ts reads it. */
const apiTokenFile = join(dataDir, 'e2e-api-token');
/** One customer per project, loaded from the operator's directory and invited; tests/invitation.spec.ts follows the link. */
const invitedFile = join(dataDir, 'e2e-invited.jsonl');
writeFileSync(
  invitedFile,
  ['js-on', 'js-off']
    .map((project, index) =>
      JSON.stringify({
        number: `C-39000${index}`,
        first_name: 'Marc',
        last_name: 'Rochat',
        email: `invited.${project}@menuiserie-exemple.ch`,
        language: 'fr',
        street: 'Chemin des Vignes 3',
        postcode: '1009',
        city: 'Pully',
        country: 'CH',
      }),
    )
    .join('\n') + '\n',
);

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  globalTeardown: './tests/server-log.teardown.ts',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // The portal answers in the language this browser chose, else the account's, else Accept-Language. The suite
    // reads French, as a Swiss French customer does (some demo customers have English on record): every test starts
    // with French chosen, and tests/language.spec.ts starts without a choice to check the others.
    locale: 'fr-CH',
    storageState: {
      cookies: [
        { name: 'i18n_pref_locale', value: 'fr', domain: '127.0.0.1', path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Lax' },
      ],
      origins: [],
    },
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium: the suite never downloads a browser.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'js-on', use: { javaScriptEnabled: true } },
    { name: 'js-off', use: { javaScriptEnabled: false } },
  ],
  webServer: [
    {
      command: `python3 "${join(root, 'server', 'tests', 'it', 'support', 'smtp_sink.py')}" "${process.env.PORTAL_E2E_MAIL_DIR}" --port ${smtpPort}`,
      port: smtpPort,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // Demo data, plus per project one new support agent who has not enrolled a second factor yet and one support
      // agent of its own for the consent flow (whose sign-ins never race the demo staff's single-use codes), one staff
      // member with every staff role for the accessibility checks and one for the keyboard checks, one support agent for
      // the keyboard-only consent flows, and a privacy officer each for the charter and the disclosure specs (the one
      // demo officer's single-use codes made those two wait for each other, up to minutes); one staff member with every
      // role for the hydration checks (JavaScript on only); and service tokens for the access checks and for opening
      // consent requests as the ticketing system does, and one for consent events.
      command: [
        `"${server}" seed-demo`,
        ...['js-on', 'js-off'].map(
          (project) =>
            `printf '%s\\n' portail-demo-2026 | "${server}" create-user --role support --email new.agent.${project}@staff.portal.example --name "Nouvel agent"`,
        ),
        ...['js-on', 'js-off'].map(
          (project) =>
            `printf '%s\\n' portail-demo-2026 | "${server}" create-user --role support --email consent.agent.${project}@staff.portal.example --name "Agent consentement"`,
        ),
        ...['js-on', 'js-off'].map(
          (project) =>
            `printf '%s\\n' portail-demo-2026 | "${server}" create-user --role support --role sysadmin --role privacy-officer --email a11y.staff.${project}@staff.portal.example --name "Agent accessibilité"`,
        ),
        ...['js-on', 'js-off'].flatMap((project) => [
          `printf '%s\\n' portail-demo-2026 | "${server}" create-user --role support --role sysadmin --role privacy-officer --email keyboard.staff.${project}@staff.portal.example --name "Agent clavier"`,
          `printf '%s\\n' portail-demo-2026 | "${server}" create-user --role support --email keyboard.agent.${project}@staff.portal.example --name "Agent au clavier"`,
        ]),
        `printf '%s\\n' portail-demo-2026 | "${server}" create-user --role support --role sysadmin --role privacy-officer --email hydration.staff@staff.portal.example --name "Agent hydratation"`,
        ...['js-on', 'js-off'].flatMap((project) =>
          ['charter', 'disclosure'].map(
            (spec) =>
              `printf '%s\\n' portail-demo-2026 | "${server}" create-user --role privacy-officer --email ${spec}.officer.${project}@staff.portal.example --name "Déléguée protection des données"`,
          ),
        ),
        `"${server}" import-customers --invite "${invitedFile}"`,
        `"${server}" create-service-token --name e2e-access-checks --scopes access-checks > "${apiTokenFile}"`,
        `"${server}" create-service-token --name e2e-ticketing --scopes consent-requests > "${join(dataDir, 'e2e-ticketing-token')}"`,
        `"${server}" create-service-token --name e2e-events --scopes events > "${join(dataDir, 'e2e-events-token')}"`,
        `exec "${server}" serve 2>>"${serverLog}"`,
      ].join(' && '),
      url: `http://127.0.0.1:${port}/readyz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
        LEPTOS_SITE_ROOT: join(root, 'target', 'site'),
        PORTAL_DATA_DIR: dataDir,
        DATABASE_URL: process.env.PORTAL_E2E_DATABASE_URL ?? '',
        RUST_LOG: 'warn',
        // The consent jobs (expiry, the "grant ended" mail) every second rather than every 15 s: tests wait on them.
        PORTAL_CONSENT_EXPIRY_SWEEP_MILLIS: '1000',
        PORTAL_SMTP_HOST: '127.0.0.1',
        PORTAL_SMTP_PORT: String(smtpPort),
        PORTAL_SMTP_TLS: 'none',
      },
    },
  ],
});

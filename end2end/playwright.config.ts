import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The suite runs against the real release build: `cargo leptos build --release` first (see README.md).
const port = Number(process.env.PORTAL_E2E_PORT ?? 3457);
const root = resolve(__dirname, '..');
const server = join(root, 'target', 'release', 'server');
const dataDir = process.env.PORTAL_E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'portal-e2e-'));

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
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
  webServer: {
    // Demo data, plus one new support agent per project who has not enrolled a second factor yet.
    command: [
      `"${server}" seed-demo`,
      ...['js-on', 'js-off'].map(
        (project) =>
          `printf '%s\\n' portail-demo-2026 | "${server}" create-user --role support --email new.agent.${project}@staff.portal.example --name "Nouvel agent"`,
      ),
      `exec "${server}" serve`,
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
    },
  },
});

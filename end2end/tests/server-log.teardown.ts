import { existsSync, readFileSync } from 'node:fs';

/**
 * The server must not panic while the suite runs, not even in a task outside any request (a page left mid-render
 * once did), which no page shows. Its standard error goes to a file (playwright.config.ts); a panic there fails the
 * run, and the log is printed with it.
 */
export default function serverLogHoldsNoPanic(): void {
  const log = process.env.PORTAL_E2E_SERVER_LOG;
  if (!log || !existsSync(log)) {
    return;
  }
  const text = readFileSync(log, 'utf8');
  if (/panicked at/.test(text)) {
    console.error(`--- server log (${log}) ---\n${text}`);
    throw new Error(`the server panicked during the suite: see its log above (${log})`);
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '').length;
  console.log(`server log: no panic (${lines} lines in ${log})`);
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The mailboxes of the browser tests: the portal sends over SMTP to the mail tests' sink (aiosmtpd, started by
 * playwright.config.ts), which stores each message it receives whole, as `<n>.eml`.
 */
export interface SentMail {
  to: string;
  /** The raw header line: ASCII words stay readable, others are encoded. */
  subject: string;
  /** The plain-text part, quoted-printable decoded. */
  text: string;
}

function decodeQuotedPrintable(body: string): string {
  const joined = body.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i += 1) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function parse(raw: string): SentMail {
  const header = (name: string) => raw.match(new RegExp(`^${name}: (.*)$`, 'm'))?.[1]?.trim() ?? '';
  const plain = raw.split(/Content-Type: text\/plain; charset=utf-8\r?\n/)[1] ?? '';
  const [partHeaders, ...rest] = plain.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n').split(/\r?\n--/)[0];
  const text = /quoted-printable/i.test(partHeaders) ? decodeQuotedPrintable(body) : body;
  return { to: header('To'), subject: header('Subject'), text };
}

/** Every message sent so far to `address`. */
export function mailsTo(address: string): SentMail[] {
  const dir = process.env.PORTAL_E2E_MAIL_DIR ?? '';
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.eml'));
  } catch {
    return [];
  }
  return names
    .sort()
    .map((name) => parse(readFileSync(join(dir, name), 'utf8')))
    .filter((mail) => mail.to === address);
}

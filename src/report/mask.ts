/**
 * Credentials never leave in a report: Authorization tokens and credential entries are shown by their user
 * name only. Used by every report written for CI (SARIF, JUnit, diff), whose files are uploaded and kept.
 */
import { Finding, maskCredential } from '../rules';

/** `admin3:***` when the token is base64 of `user:password`, else its first 4 characters and `***`. */
export function maskToken(token: string): string {
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(token)) {
    const text = Buffer.from(token, 'base64').toString('utf8');
    if (/^[\x20-\x7e]+:[\x20-\x7e]*$/.test(text) && Buffer.from(text, 'utf8').toString('base64') === token) return maskCredential(text);
  }
  return maskCredential(token);
}

/** A header value shown without its secret: the scheme kept (`Basic admin3:***`). */
function maskValue(value: string): string {
  const sp = value.indexOf(' ');
  return sp < 0 ? maskToken(value) : `${value.slice(0, sp)} ${maskToken(value.slice(sp + 1).trim())}`;
}

/** Masks `Authorization: <value>` (header lines), `Authorization "<value>"` and `credential "<token>"` in text. */
export function maskText(text: string): string {
  return text
    .replace(/(Authorization: +)(\S+(?: \S+)?)/gi, (_m, pre: string, value: string) => `${pre}${maskValue(value)}`)
    .replace(/(Authorization ")([^"]*)"/gi, (_m, pre: string, value: string) => `${pre}${maskValue(value)}"`)
    .replace(/(credential )"([^"]*)"( \([^)]*\))?/g, (_m, pre: string, token: string) => `${pre}"${maskToken(token)}"`);
}

const CREDENTIAL_FIELD = /credentials(\[\d+\])?$/;

/** A finding whose value, when it is a credential entry, is masked (BA011 masks its own already). */
export function maskFinding(f: Finding): Finding {
  if (!CREDENTIAL_FIELD.test(f.field)) return f;
  let value = f.value;
  try {
    const v = JSON.parse(f.value);
    if (typeof v === 'string') value = JSON.stringify(maskCredential(v));
    else if (Array.isArray(v)) value = JSON.stringify(v.map((x) => (typeof x === 'string' && !x.endsWith('***') ? maskCredential(x) : x)));
  } catch {
    value = '"***"';
  }
  return { ...f, value };
}

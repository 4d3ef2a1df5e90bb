/**
 * Credentials never leave in a report: Authorization tokens and credential entries are shown by their user
 * name only. Used by every report written for CI (SARIF, JUnit, diff), whose files are uploaded and kept. The
 * traces and findings they start from are masked already (rules/display.ts); this is the second line of defence,
 * for text that reaches a report some other way, and masking twice changes nothing.
 */
import { maskAuthorization, maskCredential } from '../rules/display';
import type { Finding } from '../rules/finding';

/** A token as every report shows it: the one masking function, `maskCredential` (`base64(admin3:***)`). */
export function maskToken(token: string): string {
  return maskCredential(token);
}

/** A header value shown without its secret: the scheme kept (`Basic base64(admin3:***)`). */
function maskValue(value: string): string {
  return maskAuthorization(value.trim());
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

/**
 * How values reach people: credentials masked, control characters escaped. Every message, finding, trace
 * and JSON report that can show a credential goes through {@link maskCredential}, the one masking
 * function; the helpers below only find where a credential sits (a header, a URL, a config key) and hand
 * it to it.
 */

/** An argocd-vault-plugin placeholder `<path:...#key>`: a reference to a secret, not the secret. */
export const CREDENTIAL_PLACEHOLDER = /^<path:[^<>]+#[^<>]+>$/;

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MASKED = /^(?:[^:]*:\*\*\*|base64\([^:]*:\*\*\*\)|\*\*\*(?: \([^)]*\))?)$/;
const MAX_SHOWN_USER = 64;

/**
 * A credential as it may be shown: nothing of a password or a token, only what tells entries apart.
 *
 * - `user:password` reads `user:***`;
 * - base64 of `user:password` reads `base64(user:***)`;
 * - a vault placeholder is shown as it is (it names the secret, it is not the secret);
 * - anything else, malformed values included, reads `*** (N characters)` or `*** (a number)`.
 *
 * @example maskCredential('alice:S3cret') // 'alice:***'
 */
export function maskCredential(value: unknown): string {
  if (typeof value !== 'string') return `*** (${typeName(value)})`;
  // a placeholder is not a secret; a value masked already stays as it is (masking twice must not garble it)
  if (CREDENTIAL_PLACEHOLDER.test(value) || MASKED.test(value)) return value;
  const colon = value.indexOf(':');
  if (colon >= 0) return `${shortUser(value.slice(0, colon))}:***`;
  const user = base64User(value);
  if (user !== undefined) return `base64(${shortUser(user)}:***)`;
  return opaque(value);
}

function opaque(value: string): string {
  return `*** (${value.length} character${value.length === 1 ? '' : 's'})`;
}

function shortUser(user: string): string {
  return user.length > MAX_SHOWN_USER ? `${user.slice(0, MAX_SHOWN_USER)}…` : user;
}

/** The user of a base64 token that decodes (and re-encodes) exactly to printable `user:password`. */
function base64User(token: string): string | undefined {
  if (!B64.test(token) || token.length > 4096) return undefined;
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (!/^[\x20-\x7e]*:[\x20-\x7e]*$/.test(text)) return undefined;
  const bare = (s: string) => s.replace(/=+$/, '');
  return bare(Buffer.from(text, 'utf8').toString('base64')) === bare(token) ? text.slice(0, text.indexOf(':')) : undefined;
}

function typeName(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

/** A credential field that may hold one entry or a list of them, masked entry by entry. */
export function maskCredentials(value: unknown): unknown {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(maskCredential) : maskCredential(value);
}

/** An `Authorization` value: the scheme stays, the credentials after it are masked (`Basic base64(ok:***)`). */
export function maskAuthorization(value: string): string {
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)( +)(.*)$/s.exec(value);
  if (!m) return maskCredential(value);
  return `${m[1]}${m[2]}${maskCredential(m[3])}`;
}

const AUTH_HEADERS = new Set(['authorization', 'proxy-authorization']);
const SECRET_HEADERS = new Set(['cookie', 'set-cookie', 'x-api-key', 'api-key', 'x-auth-token']);

/** Whether a header carries credentials, so that its value is never shown. */
export function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  return AUTH_HEADERS.has(n) || SECRET_HEADERS.has(n);
}

/** A header value as it may be shown: masked for the headers that carry credentials, as it is otherwise. */
export function maskHeaderValue(name: string, value: string): string {
  const n = name.toLowerCase();
  if (AUTH_HEADERS.has(n)) return maskAuthorization(value);
  if (SECRET_HEADERS.has(n)) return opaque(value);
  return value;
}

// scheme://userinfo@ : everything up to the last "@" before the path, so a raw "?" or "#" in a password is
// masked too (it may over-mask a query without a path, never under-mask)
const URL_USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/]*)@/;

/** A URL with the password in its userinfo masked (`http://alice:***@host/`); a lone user part is masked whole. */
export function maskUrl(url: string): string {
  const m = URL_USERINFO.exec(url);
  if (!m) return url;
  const info = m[2];
  const colon = info.indexOf(':');
  const shown = colon >= 0 ? `${shortUser(info.slice(0, colon))}:***` : '***';
  return `${m[1]}${shown}@${url.slice(m[0].length)}`;
}

/**
 * {@link maskUrl} for a string known to be a URL, where no scheme still leaves `user:password@host` (curl reads
 * `alice:pw@productpage/` so, and Go's url.Parse reads `alice:pw@registry/x` as scheme "alice" whose rest holds the
 * password). Kept apart from maskUrl, which every string of a finding passes through, so that an image such as
 * `nginx:1.25@sha256:...` elsewhere is not taken for a password.
 */
export function maskBareUrl(url: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url)) return maskUrl(url);
  return maskUrl(`x://${url}`).slice('x://'.length);
}

const CREDENTIAL_KEYS = new Set(['credentials']);
const SECRET_KEYS = new Set(['password', 'passwd', 'token', 'secret', 'apikey', 'api_key', 'authorization']);
const MAX_REDACTED_NODES = 2000;

/**
 * What masking makes of the entry `k: c` of an object (`secret`: the object is a Secret), or undefined when the
 * entry itself is not masked and masking goes on inside it: the one place that says which entries hold secrets,
 * for {@link redactSecrets} and {@link holdsSecret}.
 */
function maskedEntry(secret: boolean, k: string, c: unknown): { masked: unknown } | undefined {
  const lk = k.toLowerCase();
  if (CREDENTIAL_KEYS.has(lk)) return { masked: maskCredentials(c) };
  if (SECRET_KEYS.has(lk) && c !== null && typeof c !== 'object') return { masked: maskCredential(c) };
  // a `url` is a URL even without a scheme (a WasmPlugin's `user:pw@ghcr.io/...` reads as oci://): its password too
  if (lk === 'url' && typeof c === 'string') return { masked: maskBareUrl(c) };
  if (secret && (k === 'data' || k === 'stringData') && c !== null && typeof c === 'object') {
    return { masked: Object.fromEntries(Object.keys(c as object).map((dk) => [dk, '***'])) };
  }
  return undefined;
}

/**
 * A copy of `value` that is safe to show: `credentials` entries, values under password-like keys, Secret
 * `data`/`stringData`, and URL passwords masked. Copies at most 2,000 nodes (a message shows far less).
 */
export function redactSecrets(value: unknown): unknown {
  let budget = MAX_REDACTED_NODES;
  const copy = (v: unknown, depth: number): unknown => {
    if (--budget < 0 || depth > 50) return '…';
    if (typeof v === 'string') return maskUrl(v);
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const c of v) {
        if (budget <= 0) {
          out.push('…');
          break;
        }
        out.push(copy(c, depth + 1));
      }
      return out;
    }
    const o = v as Record<string, unknown>;
    const isSecret = o.kind === 'Secret';
    const out: Record<string, unknown> = {};
    for (const [k, c] of Object.entries(o)) {
      if (budget <= 0) {
        out['…'] = '…';
        break;
      }
      const m = maskedEntry(isSecret, k, c);
      out[k] = m ? m.masked : copy(c, depth + 1);
    }
    return out;
  };
  return copy(value, 0);
}

/**
 * Whether `value` holds anything {@link redactSecrets} would mask: a `credentials` entry or a value under a
 * password-like key that is not a vault placeholder, a Secret's `data`/`stringData` keys, a URL with a password.
 * The whole value is walked (no budget: a cache asks it to decide what it may keep). Iterative, so any nesting ends.
 */
export function holdsSecret(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (maskUrl(v) !== v) return true;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const c of v) stack.push(c);
      continue;
    }
    const o = v as Record<string, unknown>;
    const isSecret = o.kind === 'Secret';
    for (const [k, c] of Object.entries(o)) {
      const m = maskedEntry(isSecret, k, c);
      if (!m) stack.push(c);
      else if (JSON.stringify(m.masked) !== JSON.stringify(c)) return true;
    }
  }
  return false;
}

// C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional overrides that can make a
// terminal show text other than what is there
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character written as an escape (`\n`, `\u001b`), so it stays on one line as shown. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * The first control character in `text` (C0, DEL, C1), or undefined. With `allowTab`, as in an HTTP field
 * value (RFC 9110 5.5), a horizontal tab is allowed and bytes from 0x80 up are left to the caller.
 */
export function findControlCharacter(text: string, options: { readonly allowTab?: boolean } = {}): string | undefined {
  const m = (options.allowTab ? CONTROL_BUT_TAB : CONTROL).exec(text);
  return m ? m[0] : undefined;
}

/** `text` cut to `max` characters for a message, `...` standing for the rest: a value may be megabytes long. */
export function clipped(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** A string quoted for a message: JSON, plus escapes for the characters JSON leaves raw (DEL, C1, bidi). */
export function quote(value: string): string {
  return escapeControls(JSON.stringify(value));
}

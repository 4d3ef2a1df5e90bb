/**
 * Go's `net/url` parser, reduced to what decides whether a WasmPlugin `url` is accepted: the CRD's CEL rule
 * (`isURL`/`url()` call `url.ParseRequestURI`, then `url.Parse`) and the webhook's `strictParseURL`
 * (istio@1.30.3:pkg/config/validation/validation.go) read a URL this way. Only success and the scheme are
 * kept; the error texts are ours.
 */

/** A parsed URL: its scheme in lower case (empty when it has none). */
export interface GoUrl {
  readonly scheme: string;
}

type Mode = 'host' | 'path' | 'user' | 'fragment';

function isHex(c: string): boolean {
  return /^[0-9A-Fa-f]$/.test(c);
}

function alnum(c: string): boolean {
  return /^[A-Za-z0-9]$/.test(c);
}

// url.shouldEscape for the modes the parser checks
function shouldEscape(c: string, mode: Mode): boolean {
  if (alnum(c)) return false;
  if (mode === 'host' && '!$&\'()*+,;=:[]<>"'.includes(c)) return false;
  if ('-_.~'.includes(c)) return false;
  if ('$&+,/:;=?@'.includes(c)) {
    if (mode === 'path') return c === '?';
    if (mode === 'user') return c === '@' || c === '/' || c === '?' || c === ':';
    if (mode === 'fragment') return false;
  }
  if (mode === 'fragment' && '!()*'.includes(c)) return false;
  return true;
}

// url.unescape: malformed percent escapes always fail; in a host, so does any character that must be escaped
function unescapeOk(s: string, mode: Mode): boolean {
  for (let i = 0; i < s.length;) {
    const c = s[i];
    if (c === '%') {
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) return false;
      if (mode === 'host' && parseInt(s[i + 1], 16) < 8 && s.slice(i, i + 3) !== '%25') return false;
      i += 3;
    } else {
      if (mode === 'host' && c.charCodeAt(0) < 0x80 && shouldEscape(c, mode)) return false;
      i++;
    }
  }
  return true;
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  return port[0] === ':' && /^[0-9]*$/.test(port.slice(1));
}

function parseHostOk(host: string): boolean {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) return false;
    if (!validOptionalPort(host.slice(i + 1))) return false;
  } else {
    const i = host.lastIndexOf(':');
    if (i >= 0 && !validOptionalPort(host.slice(i))) return false;
  }
  return unescapeOk(host, 'host');
}

function validUserinfo(s: string): boolean {
  for (const c of s) {
    if (alnum(c)) continue;
    if ('-._:~!$&\'()*+,;=%@'.includes(c)) continue;
    return false;
  }
  return true;
}

function parseAuthorityOk(authority: string): boolean {
  const at = authority.lastIndexOf('@');
  if (!parseHostOk(at < 0 ? authority : authority.slice(at + 1))) return false;
  if (at < 0) return true;
  const userinfo = authority.slice(0, at);
  if (!validUserinfo(userinfo)) return false;
  return userinfo.split(':').every((part) => unescapeOk(part, 'user'));
}

/** url.getScheme: the scheme and the rest, or an error for a leading ":". */
function getScheme(raw: string): { scheme: string; rest: string } | undefined {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return { scheme: '', rest: raw };
      continue;
    }
    if (c === ':') {
      if (i === 0) return undefined;
      return { scheme: raw.slice(0, i), rest: raw.slice(i + 1) };
    }
    return { scheme: '', rest: raw };
  }
  return { scheme: '', rest: raw };
}

// url.parse(rawURL, viaRequest)
function parse(raw: string, viaRequest: boolean): GoUrl | undefined {
  for (const ch of raw) {
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return undefined;
  }
  if (raw === '' && viaRequest) return undefined;
  if (raw === '*') return { scheme: '' };
  const s = getScheme(raw);
  if (!s) return undefined;
  const scheme = s.scheme.toLowerCase();
  let rest = s.rest;
  if (rest.endsWith('?') && rest.split('?').length === 2) rest = rest.slice(0, -1);
  else {
    const q = rest.indexOf('?');
    if (q >= 0) rest = rest.slice(0, q);
  }
  if (!rest.startsWith('/')) {
    if (scheme !== '') return { scheme };
    if (viaRequest) return undefined;
    const slash = rest.indexOf('/');
    const segment = slash < 0 ? rest : rest.slice(0, slash);
    if (segment.includes(':')) return undefined;
  }
  if ((scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const i = authority.indexOf('/');
    if (i >= 0) {
      rest = authority.slice(i);
      authority = authority.slice(0, i);
    }
    if (!parseAuthorityOk(authority)) return undefined;
  }
  return unescapeOk(rest, 'path') ? { scheme } : undefined;
}

/** `url.ParseRequestURI`: an absolute URI or an absolute path; a fragment is not split off. */
export function goParseRequestURI(raw: string): GoUrl | undefined {
  return parse(raw, true);
}

/** `url.Parse`: the fragment after `#` is split off and must be well escaped. */
export function goParse(raw: string): GoUrl | undefined {
  const hash = raw.indexOf('#');
  const u = parse(hash < 0 ? raw : raw.slice(0, hash), false);
  if (!u) return undefined;
  if (hash >= 0 && !unescapeOk(raw.slice(hash + 1), 'fragment')) return undefined;
  return u;
}

/**
 * The scheme a WasmPlugin URL is read with, as the CRD's CEL rule and the webhook read it: the URL itself if
 * `ParseRequestURI` and `Parse` take it, else `"http://" + url`; `undefined` when neither parses.
 */
export function wasmUrlScheme(url: string): string | undefined {
  const direct = goParseRequestURI(url);
  if (direct) return goParse(url) ? direct.scheme : undefined;
  const prefixed = `http://${url}`;
  const viaHttp = goParseRequestURI(prefixed);
  if (!viaHttp || !goParse(prefixed)) return undefined;
  return viaHttp.scheme;
}

/**
 * What the basic_auth module 1.12.0 accepts in its configuration (`onConfigure`), and its credential
 * encoding. A config it rejects is never in force: Envoy NACKs it and requests pass unchecked.
 */
import { FieldProblem } from './finding';
import { severityOf } from './codes';
import { urlScheme } from './wasm-fields';

/** A problem; `apiFix` gives the fix in the construct API's words where they differ from the YAML's. */
function problem(code: string, field: string, message: string, value: unknown, fix: string, apiFix?: string): FieldProblem {
  return { code, severity: severityOf(code), field, message, value, fix, ...(apiFix !== undefined ? { apiFix } : {}) };
}

/** Path matcher keys of a basic_auth rule; exactly one must be present. */
export const BASIC_AUTH_MATCHERS = ['prefix', 'exact', 'suffix'] as const;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Whether the module's base64 decoder takes the value: standard alphabet, at most two `=` of padding
 * that completes a 4-character group, and no stray bits in the last character.
 */
export function isModuleBase64(value: string): boolean {
  const body = value.replace(/={1,2}$/, '');
  const pad = value.length - body.length;
  if (body.length === 0) return false;
  for (const ch of body) if (!B64.includes(ch)) return false;
  if (pad > 0 && value.length % 4 !== 0) return false;
  const rem = body.length % 4;
  if (rem === 1) return false;
  const last = B64.indexOf(body[body.length - 1]);
  if (rem === 2 && (last & 0x0f) !== 0) return false;
  if (rem === 3 && (last & 0x03) !== 0) return false;
  return true;
}

/** The Authorization header token the module stores for a credential entry (user:pass is encoded, base64 kept). */
export function storedCredential(entry: string): string {
  return entry.includes(':') ? Buffer.from(entry, 'utf8').toString('base64') : entry;
}

/**
 * Whether a credential entry is an out-of-Git placeholder resolved before apply
 * (argocd-vault-plugin `<path:...#key>`): accepted as valid, checked once substituted.
 */
export function isCredentialPlaceholder(entry: string): boolean {
  return /^<path:[^<>]+#[^<>]+>$/.test(entry);
}

export function checkCredential(entry: unknown, field: string): FieldProblem[] {
  if (typeof entry !== 'string') {
    return [problem('BA006', field, 'must be a string', entry, 'write "user:password" or its base64 encoding')];
  }
  if (entry.includes(':') || isCredentialPlaceholder(entry) || isModuleBase64(entry)) return [];
  return [problem('BA006', field, 'is neither "user:password" nor valid base64, so the module rejects the whole config', entry,
    'write "user:password" or its standard base64 encoding with padding (e.g. "YWRtaW4zOmFkbWluMw==")')];
}

/** Whether a plugin URL points at the basic_auth module, whose configuration we can check. */
export function isBasicAuthUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  const scheme = urlScheme(url);
  const rest = scheme === '' ? url : url.slice(scheme.length + 3);
  const last = rest.split('/').pop() ?? '';
  return /^basic[_-]auth([:.@]|$)/.test(last);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A basic_auth plugin with no rule guards nothing: the module lets every request through (legal, so a
 * warning; for an auth plugin it is almost always a mistake).
 */
export function checkBasicAuthHasRules(config: unknown, base = 'spec.pluginConfig'): FieldProblem[] {
  if (config !== undefined && config !== null && !isPlainObject(config)) return []; // BA001 reports the shape
  const rules = isPlainObject(config) ? config.basic_auth_rules : undefined;
  if (rules !== undefined && (!Array.isArray(rules) || rules.length > 0)) return [];
  return [problem('BA009', rules === undefined ? base : `${base}.basic_auth_rules`,
    'holds no basic_auth rule, so the module checks nothing and every request passes', rules ?? config,
    'add basic_auth_rules with a path matcher, request_methods and credentials')];
}

/** All problems of a basic_auth `pluginConfig` (errors: the module rejects the config; warnings: a rule never matches). */
export function checkBasicAuthConfig(config: unknown, base = 'spec.pluginConfig'): FieldProblem[] {
  if (config === undefined || config === null) return [];
  if (!isPlainObject(config)) {
    return [problem('BA001', base, 'must be an object', config, 'write pluginConfig as a map with basic_auth_rules')];
  }
  const out: FieldProblem[] = [];
  if (config.realm !== undefined && typeof config.realm !== 'string') {
    out.push(problem('BA007', `${base}.realm`, 'must be a string', config.realm, 'quote the realm, e.g. realm: "istio"'));
  }
  const rules = config.basic_auth_rules;
  if (rules === undefined) return out;
  if (!Array.isArray(rules)) {
    out.push(problem('BA001', `${base}.basic_auth_rules`, 'must be a list of rules', rules, 'write basic_auth_rules as a YAML list'));
    return out;
  }
  rules.forEach((rule, i) => out.push(...checkBasicAuthRule(rule, `${base}.basic_auth_rules[${i}]`)));
  return out;
}

export function checkBasicAuthRule(rule: unknown, field: string): FieldProblem[] {
  if (!isPlainObject(rule)) {
    return [problem('BA001', field, 'must be an object', rule, 'write each rule as a map with one path matcher, request_methods and credentials')];
  }
  const out: FieldProblem[] = [];
  const present = BASIC_AUTH_MATCHERS.filter((k) => k in rule && rule[k] !== undefined);
  if (present.length !== 1) {
    out.push(problem('BA002', field, `must have exactly one of prefix, exact, suffix (has ${present.length === 0 ? 'none' : present.join(' and ')})`,
      present.length === 0 ? undefined : Object.fromEntries(present.map((k) => [k, rule[k]])),
      'keep exactly one path matcher per rule; split the rule in two to guard two paths'));
  } else {
    const k = present[0];
    const v = rule[k];
    if (typeof v !== 'string' || v === '') {
      out.push(problem('BA003', `${field}.${k}`, 'must be a non-empty string (the module leaves an empty matcher undefined)', v,
        `give the path to match, e.g. ${k}: "/productpage"`, `pass the path to match, e.g. PathMatch.${k}("/productpage")`));
    }
  }
  if (present.length === 1) {
    const k = present[0];
    const v = rule[k];
    // request paths always start with "/", so a prefix or exact path without one never matches
    if ((k === 'prefix' || k === 'exact') && typeof v === 'string' && v !== '' && !v.startsWith('/')) {
      out.push(problem('BA010', `${field}.${k}`, 'does not start with "/": request paths always do, so this rule never matches and guards nothing', v,
        `write ${k}: ${JSON.stringify('/' + v)}`));
    }
  }
  const methods = rule.request_methods;
  if (!Array.isArray(methods) || methods.length === 0 || methods.some((m) => typeof m !== 'string' || m === '')) {
    out.push(problem('BA004', `${field}.request_methods`, 'must be a non-empty list of method names', methods,
      'list the methods to guard, e.g. ["GET", "POST"] (methods not listed pass unchecked)',
      'pass the methods to guard, e.g. methods: [HttpMethod.GET, HttpMethod.POST] (methods not listed pass unchecked)'));
  } else {
    methods.forEach((m: string, j: number) => {
      // the module compares :method exactly, and HTTP methods are upper case
      if (m !== m.toUpperCase()) {
        out.push(problem('BA010', `${field}.request_methods[${j}]`, 'is not upper case: the module compares the method exactly, so this entry never matches a request', m,
          `write ${JSON.stringify(m.toUpperCase())}`, `use ${/^[A-Z]+$/.test(m.toUpperCase()) && ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'].includes(m.toUpperCase()) ? `HttpMethod.${m.toUpperCase()}` : `HttpMethod.of(${JSON.stringify(m.toUpperCase())})`}`));
      }
    });
  }
  const creds = rule.credentials;
  if (!Array.isArray(creds) || creds.length === 0) {
    out.push(problem('BA005', `${field}.credentials`, 'must list at least one credential', creds,
      'add "user:password" entries or base64 tokens', 'pass at least one credential, e.g. BasicAuthCredential.vault(path, key) or BasicAuthCredential.plain(user, password)'));
  } else {
    creds.forEach((c, j) => out.push(...checkCredential(c, `${field}.credentials[${j}]`)));
  }
  const hosts = rule.hosts;
  if (hosts !== undefined && (!Array.isArray(hosts) || hosts.some((h) => typeof h !== 'string'))) {
    out.push(problem('BA008', `${field}.hosts`, 'must be a list of host patterns', hosts,
      'write hosts as a list such as ["bookinfo.example.com", "*.example.com"]'));
  }
  return out;
}

/** A credential shown in a message without giving it away: the user name of user:pass, else 4 characters. */
export function maskCredential(entry: string): string {
  const colon = entry.indexOf(':');
  return colon >= 0 ? `${entry.slice(0, colon)}:***` : `${entry.slice(0, 4)}***`;
}

/**
 * Credentials written in plain text (user:pass, or base64, which is an encoding, not encryption): anyone
 * who can read the manifests, and so the Git repository, can use them. One warning per rule.
 */
export function checkPlaintextCredentials(config: unknown, base = 'spec.pluginConfig'): FieldProblem[] {
  if (!isPlainObject(config) || !Array.isArray(config.basic_auth_rules)) return [];
  const out: FieldProblem[] = [];
  config.basic_auth_rules.forEach((rule: unknown, i: number) => {
    if (!isPlainObject(rule) || !Array.isArray(rule.credentials)) return;
    // placeholders are out of Git; values the module rejects are BA006's, not ours
    const plain = rule.credentials.filter((c): c is string => typeof c === 'string' && !isCredentialPlaceholder(c) && checkCredential(c, '').length === 0);
    if (plain.length === 0) return;
    out.push(problem('BA011', `${base}.basic_auth_rules[${i}].credentials`,
      `${plain.length} credential${plain.length === 1 ? ' is' : 's are'} written in plain text (base64 is an encoding, not encryption): whoever reads the Git repository can use ${plain.length === 1 ? 'it' : 'them'}`,
      plain.map(maskCredential),
      'write argocd-vault-plugin placeholders (<path:secret/data/...#key>) and render with the vault plugin, or render the manifests into a private repository',
      'use argocd-vault-plugin placeholders (BasicAuthCredential.vault()), or read them from the environment at synth (BasicAuthCredential.fromEnv()) into a private repository'));
  });
  return out;
}

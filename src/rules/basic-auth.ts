/**
 * What the basic_auth module 1.12.0 accepts in its configuration, read as its `onConfigure` reads it
 * (wasmext@1.12.0:extensions/basic_auth/plugin.cc `configure`, `extractBasicAuthRule`), and the rules it
 * accepts but that can never match a request. A config it rejects is never in force: Envoy refuses the
 * extension config (NACK).
 */
import { maskCredential, maskCredentials, redactSecrets } from './display';
import { FieldProblem } from './finding';
import { severityOf } from './codes';
import { urlScheme } from './wasm-fields';

/** The method a lower-case or malformed entry was meant to be: upper case, token characters only. */
function methodToken(m: string): string {
  return m.toUpperCase().replace(/[^!#$%&'*+\-.^_`|~0-9A-Z]/g, '');
}

/** The methods `HttpMethod` has constants for (the Gateway API's set). */
const STANDARD_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/** A problem; `apiFix` gives the fix in the construct API's words where they differ from the YAML's. */
function problem(code: string, field: string, message: string, value: unknown, fix: string, apiFix?: string): FieldProblem {
  return { code, severity: severityOf(code), field, message, value, fix, ...(apiFix !== undefined ? { apiFix } : {}) };
}

/** Path matcher keys of a basic_auth rule; exactly one must be present. */
export const BASIC_AUTH_MATCHERS = ['prefix', 'exact', 'suffix'] as const;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Whether the module takes a credential without ":" as base64: `Base64::decodeWithoutPadding` (istio/proxy
 * extensions/common/wasm/base64.h) strips up to two trailing "=" whatever the length, then needs the standard
 * alphabet, no group of one character, and no stray bits in the last character.
 */
export function isModuleBase64(value: string): boolean {
  let n = value.length;
  if (n > 0 && value[n - 1] === '=') {
    n--;
    if (n > 0 && value[n - 1] === '=') n--;
  }
  if (n === 0) return false;
  for (let i = 0; i < n; i++) if (!B64.includes(value[i])) return false;
  const last = B64.indexOf(value[n - 1]);
  switch ((n - 1) % 4) {
    case 0: return false;
    case 1: return (last & 0x0f) === 0;
    case 2: return (last & 0x03) === 0;
    default: return true;
  }
}

/** The Authorization header token the module stores for a credential entry (user:pass is encoded, base64 kept as written). */
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

/** Whether the module accepts a credential entry (problems: BA006 when it rejects the whole config). */
export function checkCredential(entry: unknown, field: string): FieldProblem[] {
  if (typeof entry !== 'string') {
    return [problem('BA006', field, 'must be a string, so the module rejects the whole config', maskCredential(entry), 'write "user:password" or its base64 encoding')];
  }
  if (entry.includes(':') || isCredentialPlaceholder(entry) || isModuleBase64(entry)) return [];
  // never the value itself: a malformed credential is still a credential
  return [problem('BA006', field, 'is neither "user:password" nor base64 the module decodes, so the module rejects the whole config', maskCredential(entry),
    'write "user:password" or its standard base64 encoding (e.g. "YWRtaW4zOmFkbWluMw==")')];
}

/**
 * A credential the module stores but no standard client sends: the header must carry the entry exactly as
 * written, while curl -u and browsers send the padded base64 of "user:password".
 */
export function checkCredentialForm(entry: string, field: string): FieldProblem[] {
  if (entry.includes(':') || isCredentialPlaceholder(entry) || !isModuleBase64(entry)) return [];
  const decoded = Buffer.from(entry.replace(/=+$/, ''), 'base64');
  const canonical = decoded.toString('base64');
  if (canonical !== entry) {
    // the padded form is the credential itself: say what to add, never the form
    const pad = canonical.startsWith(entry) ? canonical.slice(entry.length) : '';
    return [problem('BA012', field, `is base64 the module accepts, but it compares the header text exactly and standard clients send the padded form${pad ? ` (ending in ${JSON.stringify(pad)})` : ''}, so this entry matches only a header written exactly like it`,
      maskCredential(entry), pad ? `add ${JSON.stringify(pad)} at its end` : 'write the standard padded base64 of "user:password"')];
  }
  if (!decoded.includes(0x3a)) {
    return [problem('BA012', field, 'decodes to text without ":", so it is not the base64 of "user:password" that clients send; it matches only a header carrying this exact token', maskCredential(entry),
      'write "user:password", or the base64 of "user:password"')];
  }
  return [];
}

/** Whether a plugin URL points at the basic_auth module, whose configuration we can check. */
export function isBasicAuthUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  // asked many times per plugin, for the few URLs a mesh uses
  let known = BASIC_AUTH_URLS.get(url);
  if (known === undefined) {
    known = basicAuthUrl(url);
    if (BASIC_AUTH_URLS.size >= 10_000) BASIC_AUTH_URLS.clear();
    BASIC_AUTH_URLS.set(url, known);
  }
  return known;
}

const BASIC_AUTH_URLS = new Map<string, boolean>();

function basicAuthUrl(url: string): boolean {
  const scheme = urlScheme(url);
  const rest = scheme === '' ? url : url.slice(scheme.length + 3);
  const last = rest.split('/').pop() ?? '';
  return /^basic[_-]auth([:.@]|$)/.test(last);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One rule as the module keeps it. */
export interface ModuleRule {
  /** Index in `basic_auth_rules`. */
  readonly index: number;
  /** The matcher; undefined when its value is `""`, which leaves the module's match type uninitialised. */
  readonly matcher?: 'prefix' | 'exact' | 'suffix';
  readonly path: string;
  /** Every method as written (the module files the rule under each, compared exactly). */
  readonly methods: string[];
  /** Host patterns as written. */
  readonly hosts: string[];
  /** Credential entries as written. */
  readonly credentials: string[];
}

/** A configuration the module accepted. */
export interface ModuleConfig {
  /** Whether the plugin gets a configuration at all (empty or absent pluginConfig: none, everything passes). */
  readonly configured: boolean;
  readonly realm: string;
  readonly rules: ModuleRule[];
}

/** The module's reading of a `pluginConfig`: the config it keeps, or why it rejects it (`config` then unset). */
export interface ModuleParse {
  readonly config?: ModuleConfig;
  /** Every reason the module would reject the config (it stops at the first). */
  readonly rejected: FieldProblem[];
}

interface RuleReading {
  readonly rule?: ModuleRule;
  readonly rejected: FieldProblem[];
}

function readRule(rule: unknown, index: number, field: string): RuleReading {
  if (!isPlainObject(rule)) {
    return { rejected: [problem('BA001', field, 'must be an object, so the module rejects the whole config', masked(rule),
      'write each rule as a map with one path matcher, request_methods and credentials')] };
  }
  const rejected: FieldProblem[] = [];
  const present = BASIC_AUTH_MATCHERS.filter((k) => Object.prototype.hasOwnProperty.call(rule, k) && rule[k] !== undefined);
  for (const k of present) {
    if (typeof rule[k] !== 'string') {
      rejected.push(problem('BA003', `${field}.${k}`, 'must be a string, so the module rejects the whole config', rule[k], `give the path to match, e.g. ${k}: "/productpage"`));
    }
  }
  if (present.length !== 1) {
    rejected.push(problem('BA002', field, `must have exactly one of prefix, exact, suffix (has ${present.length === 0 ? 'none' : present.join(' and ')}), so the module rejects the whole config`,
      present.length === 0 ? undefined : Object.fromEntries(present.map((k) => [k, rule[k]])),
      'keep exactly one path matcher per rule; split the rule in two to guard two paths'));
  }
  const hosts = rule.hosts;
  if (hosts !== undefined && (!Array.isArray(hosts) || hosts.some((h) => typeof h !== 'string'))) {
    rejected.push(problem('BA008', `${field}.hosts`, 'must be a list of strings, so the module rejects the whole config', hosts,
      'write hosts as a list such as ["bookinfo.example.com", "*.example.com"]'));
  }
  const methods = rule.request_methods;
  if (methods !== undefined && (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string'))) {
    rejected.push(problem('BA004', `${field}.request_methods`, 'must be a list of strings, so the module rejects the whole config', methods,
      'list the methods to guard, e.g. ["GET", "POST"] (methods not listed pass unchecked)'));
  } else if (!Array.isArray(methods) || methods.length === 0) {
    rejected.push(problem('BA004', `${field}.request_methods`, 'must list at least one method, so the module rejects the whole config', methods,
      'list the methods to guard, e.g. ["GET", "POST"] (methods not listed pass unchecked)',
      'pass the methods to guard, e.g. methods: [HttpMethod.GET, HttpMethod.POST] (methods not listed pass unchecked)'));
  }
  const creds = rule.credentials;
  if (creds !== undefined && !Array.isArray(creds)) {
    rejected.push(problem('BA005', `${field}.credentials`, 'must be a list, so the module rejects the whole config', maskCredentials(creds), 'add "user:password" entries or base64 tokens'));
  } else if (!Array.isArray(creds) || creds.length === 0) {
    rejected.push(problem('BA005', `${field}.credentials`, 'must list at least one credential, so the module rejects the whole config', maskCredentials(creds),
      'add "user:password" entries or base64 tokens', 'pass at least one credential, e.g. BasicAuthCredential.vault(path, key) or BasicAuthCredential.plain(user, password)'));
  } else {
    creds.forEach((c, j) => rejected.push(...checkCredential(c, `${field}.credentials[${j}]`)));
  }
  if (rejected.length > 0) return { rejected };
  const key = present[0];
  const path = rule[key] as string;
  return {
    rejected,
    rule: { index, matcher: path === '' ? undefined : key, path, methods: [...(methods as string[])], hosts: [...((hosts as string[] | undefined) ?? [])],
      credentials: [...(creds as string[])] },
  };
}

/**
 * Reads a `pluginConfig` as the module 1.12.0 does: an empty or absent config means no configuration; else
 * `basic_auth_rules` must be a list of valid rules and `realm` a string.
 */
export function parseBasicAuthConfig(config: unknown, base = 'spec.pluginConfig'): ModuleParse {
  if (config === undefined || config === null) return { config: { configured: false, realm: 'istio', rules: [] }, rejected: [] };
  if (!isPlainObject(config)) {
    return { rejected: [problem('BA001', base, 'must be an object', masked(config), 'write pluginConfig as a map with basic_auth_rules')] };
  }
  const configured = Object.keys(config).length > 0;
  const rejected: FieldProblem[] = [];
  const rules: ModuleRule[] = [];
  const list = config.basic_auth_rules;
  if (list !== undefined && !Array.isArray(list)) {
    rejected.push(problem('BA001', `${base}.basic_auth_rules`, 'must be a list of rules, so the module rejects the whole config', masked(list), 'write basic_auth_rules as a YAML list'));
  } else if (Array.isArray(list)) {
    list.forEach((r, i) => {
      const read = readRule(r, i, `${base}.basic_auth_rules[${i}]`);
      rejected.push(...read.rejected);
      if (read.rule) rules.push(read.rule);
    });
  }
  if (config.realm !== undefined && typeof config.realm !== 'string') {
    rejected.push(problem('BA007', `${base}.realm`, 'must be a string, so the module rejects the whole config', config.realm, 'quote the realm, e.g. realm: "istio"'));
  }
  if (rejected.length > 0) return { rejected };
  return { config: { configured, realm: typeof config.realm === 'string' ? config.realm : 'istio', rules }, rejected };
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

const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * What is wrong with a rule the module accepted: an empty matcher (undefined behaviour, BA003), a method or
 * path no request ever carries (BA010: the rule never matches, an open door in an auth plugin), a credential
 * no standard client sends (BA012).
 */
function acceptedRuleProblems(rule: ModuleRule, field: string, source: Record<string, unknown>): FieldProblem[] {
  const out: FieldProblem[] = [];
  const key = BASIC_AUTH_MATCHERS.find((k) => source[k] !== undefined)!;
  if (rule.matcher === undefined) {
    out.push(problem('BA003', `${field}.${key}`, 'is empty: the module accepts it but leaves the rule\'s match type uninitialised, so what the rule does is undefined', '',
      `give the path to match, e.g. ${key}: "/productpage"`, `pass the path to match, e.g. PathMatch.${key}("/productpage")`));
  } else if ((key === 'prefix' || key === 'exact') && !rule.path.startsWith('/') && !rule.path.startsWith('*')) {
    // request paths start with "/" (only OPTIONS * has "*")
    out.push(problem('BA010', `${field}.${key}`, 'does not start with "/": request paths always do, so this rule never matches and guards nothing', rule.path,
      `write ${key}: ${JSON.stringify('/' + rule.path)}`, `pass PathMatch.${key}(${JSON.stringify('/' + rule.path)})`));
  }
  rule.methods.forEach((m, j) => {
    if (m === '' || m !== m.toUpperCase() || !HTTP_TOKEN.test(m)) {
      out.push(problem('BA010', `${field}.request_methods[${j}]`,
        m === '' ? 'is empty: no request has an empty method, so this entry never matches' :
          'is not an upper-case method: the module compares :method exactly, so this entry never matches a request', m,
        m === '' ? 'remove the empty entry' : `write ${JSON.stringify(methodToken(m))}`,
        m === '' ? undefined : `use ${STANDARD_METHODS.includes(methodToken(m)) ? `HttpMethod.${methodToken(m)}` : `HttpMethod.of(${JSON.stringify(methodToken(m))})`}`));
    }
  });
  rule.credentials.forEach((c, j) => out.push(...checkCredentialForm(c, `${field}.credentials[${j}]`)));
  return out;
}

/** All problems of a basic_auth `pluginConfig`: what makes the module reject it, then what it accepts but never matches. */
export function checkBasicAuthConfig(config: unknown, base = 'spec.pluginConfig'): FieldProblem[] {
  const parsed = parseBasicAuthConfig(config, base);
  if (!parsed.config) return parsed.rejected;
  const list = (config as Record<string, unknown> | undefined)?.basic_auth_rules;
  const sources: unknown[] = Array.isArray(list) ? list : [];
  return parsed.config.rules.flatMap((r) => acceptedRuleProblems(r, `${base}.basic_auth_rules[${r.index}]`, sources[r.index] as Record<string, unknown>));
}

/** The problems of one rule (`field` names it), as {@link checkBasicAuthConfig} reports them. */
export function checkBasicAuthRule(rule: unknown, field: string): FieldProblem[] {
  const read = readRule(rule, 0, field);
  return read.rule ? acceptedRuleProblems(read.rule, field, rule as Record<string, unknown>) : read.rejected;
}

/**
 * A value where a credential may hide (a config or a rule of the wrong type): strings are masked whole,
 * since a misplaced `user:password` is still one; structures keep their shape with credentials masked.
 */
function masked(value: unknown): unknown {
  return typeof value === 'string' ? maskCredential(value) : redactSecrets(value);
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

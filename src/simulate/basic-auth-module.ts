/**
 * The basic_auth Wasm module 1.12.0 (SEMANTICS 6): its configuration as the module stores it, and the
 * per-request check (`PluginRootContext::check`), with the decision of every rule kept for the trace.
 */
import { maskAuthorization, maskCredential, quote } from '../rules/display';
import { FieldProblem } from '../rules/finding';
import { isCredentialPlaceholder, parseBasicAuthConfig, storedCredential } from '../rules/basic-auth';
import { authorityHost } from './request';
import { LocalResponse, RuleTrace } from './types';

export const BODY_NO_DATA = 'Request denied by Basic Auth check. No Basic Authentication information found.';
export const BODY_INVALID = 'Request denied by Basic Auth check. Invalid username and/or password';

interface HostPattern {
  readonly type: 'prefix' | 'suffix' | 'exact';
  readonly value: string;
  readonly raw: string;
}

interface CompiledRule {
  readonly index: number;
  /** `undefined` when the matcher is the empty string: the module leaves the match type uninitialised. */
  readonly type?: 'prefix' | 'exact' | 'suffix';
  readonly path: string;
  readonly methods: string[];
  readonly hosts: HostPattern[];
  /** Header tokens after `Basic `, as stored (user:pass entries base64-encoded with padding). */
  readonly credentials: Set<string>;
  /** `<path:...#key>` entries, substituted from a secret store before apply: unknown offline. */
  readonly placeholders: string[];
}

/** A configuration the module accepted, ready to check requests. */
export interface BasicAuthProgram {
  readonly realm: string;
  readonly rules: CompiledRule[];
  /** Whether the plugin receives any configuration (empty or absent pluginConfig means none: everything passes). */
  readonly configured: boolean;
}

/** The module's view of a `pluginConfig`: a program, or the problems that make it reject the config. */
export type CompiledConfig = { readonly program: BasicAuthProgram } | { readonly rejected: FieldProblem[] };

/**
 * Compiles a `pluginConfig` the way `onConfigure` reads it (rules the module accepts but that never match are
 * kept: they simply never match); `base` names the field in problems.
 */
export function compileBasicAuth(config: unknown, base = 'spec.pluginConfig'): CompiledConfig {
  const parsed = parseBasicAuthConfig(config, base);
  if (!parsed.config) return { rejected: parsed.rejected };
  const rules: CompiledRule[] = parsed.config.rules.map((r) => {
    const hosts: HostPattern[] = r.hosts.map((h): HostPattern => {
      if (h.startsWith('*')) return { type: 'suffix', value: h.slice(1), raw: h };
      if (h.endsWith('*')) return { type: 'prefix', value: h.slice(0, -1), raw: h };
      return { type: 'exact', value: h, raw: h };
    });
    const credentials = new Set<string>();
    const placeholders: string[] = [];
    for (const c of r.credentials) {
      if (isCredentialPlaceholder(c)) placeholders.push(c); else credentials.add(storedCredential(c));
    }
    return { index: r.index, type: r.matcher, path: r.path, methods: [...r.methods], hosts, credentials, placeholders };
  });
  return { program: { realm: parsed.config.realm, rules, configured: parsed.config.configured } };
}

/** What the module sees of a request. */
export interface ModuleRequest {
  readonly method: string;
  readonly authority: string;
  readonly path: string;
  /** The `authorization` header, undefined when absent. */
  readonly authorization?: string;
  /** Every header as sent (Host included), for filters that read more than the module does (Lua). */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

export interface ModuleVerdict {
  readonly outcome: 'passed' | 'denied' | 'unknown';
  readonly detail: string;
  readonly rules: RuleTrace[];
  readonly response?: LocalResponse;
}

function matcherText(rule: CompiledRule): string {
  return rule.type === undefined ? 'an empty path matcher' : `${rule.type} ${JSON.stringify(rule.path)}`;
}

function hostMatches(rule: CompiledRule, host: string): HostPattern | undefined {
  return rule.hosts.find((h) => (h.type === 'suffix' ? host.endsWith(h.value) : h.type === 'prefix' ? host.startsWith(h.value) : host === h.value));
}

function pathMatches(rule: CompiledRule, path: string): boolean {
  if (rule.type === 'prefix') return path.startsWith(rule.path);
  if (rule.type === 'exact') return path === rule.path;
  return path.endsWith(rule.path);
}

/**
 * Runs the module's check: rules filed under the request method, in config order; a rule whose hosts and path
 * match must accept the credential (so all matching rules must, AND); the first refusal answers 401.
 */
export function runBasicAuth(program: BasicAuthProgram, req: ModuleRequest): ModuleVerdict {
  const traces: RuleTrace[] = [];
  if (!program.configured) return { outcome: 'passed', detail: 'the plugin has no configuration, so the module lets everything through', rules: traces };
  const host = authorityHost(req.authority);
  const auth = req.authorization ?? '';
  let listed = false;
  let verdict: ModuleVerdict | undefined;
  for (const rule of program.rules) {
    const base = { index: rule.index, matcher: matcherText(rule), methods: rule.methods };
    if (verdict) {
      traces.push({ ...base, decision: 'not-reached', detail: 'not reached: an earlier rule answered' });
      continue;
    }
    if (!rule.methods.includes(req.method)) {
      traces.push({ ...base, decision: 'method-not-listed', detail: `method ${req.method} is not listed (methods compare exactly, case included)` });
      continue;
    }
    listed = true;
    if (rule.hosts.length > 0) {
      const hit = hostMatches(rule, host);
      if (!hit) {
        traces.push({ ...base, decision: 'host-mismatch', detail: `host ${JSON.stringify(host)} matches none of ${JSON.stringify(rule.hosts.map((h) => h.raw))}` });
        continue;
      }
    }
    if (rule.type === undefined) {
      traces.push({ ...base, decision: 'undecidable', detail: 'the path matcher is empty, so the module leaves the match type undefined (undefined behaviour)' });
      verdict = { outcome: 'unknown', detail: `rule ${rule.index} has an empty path matcher, whose behaviour the module leaves undefined`, rules: traces };
      continue;
    }
    if (!pathMatches(rule, req.path)) {
      traces.push({ ...base, decision: 'path-mismatch', detail: `path ${JSON.stringify(req.path)} does not match (query string included)` });
      continue;
    }
    const deny = (body: string): LocalResponse => ({ body, headers: { 'WWW-Authenticate': `Basic realm=${program.realm}` } });
    if (!auth.startsWith('Basic ')) {
      const why = req.authorization === undefined ? 'no Authorization header' :
        `Authorization ${quote(maskAuthorization(auth))} does not start with "Basic " (exact case, one space)`;
      traces.push({ ...base, decision: 'no-basic-auth-data', detail: `path ${JSON.stringify(req.path)} matches; ${why}: 401` });
      verdict = { outcome: 'denied', detail: `rule ${rule.index} (${matcherText(rule)}): ${why}`, rules: traces, response: deny(BODY_NO_DATA) };
      continue;
    }
    const token = auth.slice('Basic '.length);
    if (rule.credentials.has(token)) {
      traces.push({ ...base, decision: 'accepted', detail: `path ${JSON.stringify(req.path)} matches; credential ${maskCredential(token)} is listed` });
      continue;
    }
    if (rule.placeholders.length > 0) {
      traces.push({ ...base, decision: 'undecidable', detail: `credential ${maskCredential(token)} is not among the literal ones, but ${rule.placeholders.join(', ')} is filled in from a secret store before apply` });
      verdict = { outcome: 'unknown', detail: `rule ${rule.index}: the credential may equal a secret the manifests only reference`, rules: traces };
      continue;
    }
    traces.push({ ...base, decision: 'invalid-credentials', detail: `path ${JSON.stringify(req.path)} matches; credential ${maskCredential(token)} is not listed (compared as text): 401` });
    verdict = { outcome: 'denied', detail: `rule ${rule.index} (${matcherText(rule)}): credential not listed`, rules: traces, response: deny(BODY_INVALID) };
  }
  if (verdict) return verdict;
  return {
    outcome: 'passed',
    detail: listed ? 'no rule refused the request' : `no rule lists method ${req.method}, so the module does not check it`,
    rules: traces,
  };
}

/**
 * Checks on single WasmPlugin field values, callable from a constructor (throw early) and from the
 * model-wide rules (analyze). Each returns the problems found, never throws.
 */
import { maskBareUrl, maskCredential, redactSecrets } from './display';
import { FieldProblem } from './finding';
import { severityOf } from './codes';
import { goParse, wasmUrlScheme } from './go-url';

function problem(code: string, field: string, message: string, value: unknown, fix: string): FieldProblem {
  return { code, severity: severityOf(code), field, message, value, fix };
}

const SHA256 = /^[a-f0-9]{64}$/;

/** The CRD pattern `(^$|^[a-f0-9]{64}$)`: the empty string is accepted and means "no checksum". */
export function checkSha256(value: unknown, field = 'spec.sha256'): FieldProblem[] {
  if (value === undefined || value === '') return [];
  if (typeof value === 'string' && SHA256.test(value)) return [];
  const hint = typeof value === 'string' && /^[A-Fa-f0-9]{64}$/.test(value) ? 'write it in lower case' :
    typeof value === 'string' && value.startsWith('sha256:') ? 'drop the "sha256:" prefix' :
      "pass the module's 64-hex digest (for oci:// the image manifest digest) or leave sha256 unset";
  return [problem('WASM011', field, 'must be 64 lowercase hex characters', value, hint)];
}

/** Schemes the CRD's CEL rule and the webhook accept; no scheme means oci. */
export const URL_SCHEMES = ['oci', 'http', 'https', 'file'];

/** Returns the URL's scheme in lower case, `''` when it has none (Istio then assumes `oci://`). */
export function urlScheme(url: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url);
  return m ? m[1].toLowerCase() : '';
}

/**
 * The CRD's CEL rule on `url` and the webhook's `validateWasmPluginURL`: non-empty, and read as Go's
 * `net/url` reads it (as written, else with `http://` in front) with a scheme of oci, http, https, file or none.
 */
export function checkUrl(value: unknown, field = 'spec.url'): FieldProblem[] {
  if (typeof value !== 'string' || value === '') {
    return [problem('WASM012', field, 'is required and must be a non-empty string', value,
      'set url to the module, e.g. "oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0"')];
  }
  const scheme = wasmUrlScheme(value);
  // a password in the URL is masked even where no "://" says it is one (`user:pw@ghcr.io/...` reads as scheme "user")
  const shown = maskBareUrl(value);
  if (scheme === undefined) {
    return [problem('WASM012', field, 'does not parse as a URL, neither as written nor after "http://" (the CRD rule "url must have schema one of [http, https, file, oci]" rejects it)', shown,
      'write oci://<registry>/<image>:<tag>, https://<host>/<path>.wasm or file:///<path>, percent-encoding reserved characters')];
  }
  if (!['', ...URL_SCHEMES].includes(scheme)) {
    return [problem('WASM012', field, `scheme ${JSON.stringify(scheme)} is not one of oci, http, https, file`, shown,
      'use oci://, http://, https:// or file:// (no scheme means oci://)')];
  }
  if (!goParse(value)) {
    // accepted only after "http://" is put in front; istiod then parses the URL as written and drops the plugin
    return [problem('WASM030', field, 'passes the API server only once "http://" is put in front, but istiod parses the URL as written, fails, and discards the plugin (for an auth plugin, an open door)', shown,
      'percent-encode the characters a URL host or port cannot hold (spaces, ":" not followed by a port), or fix the URL')];
  }
  return [];
}

/** CRD bounds on plain string fields. */
export function checkLength(value: unknown, field: string, min: number, max: number): FieldProblem[] {
  if (value === undefined) return [];
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    return [problem('WASM015', field, `must be a string of ${min} to ${max} characters`, value,
      `give a value of ${min} to ${max} characters or leave it unset`)];
  }
  return [];
}

export function checkPriority(value: unknown, field = 'spec.priority'): FieldProblem[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
    return [problem('WASM015', field, 'must be a 32-bit integer', value, 'use a whole number between -2147483648 and 2147483647')];
  }
  return [];
}

export function checkPort(value: unknown, field: string): FieldProblem[] {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    return [problem('WASM015', field, 'must be a port number from 1 to 65535', value, 'use a port between 1 and 65535')];
  }
  return [];
}

export interface EnvVarShape {
  readonly name?: unknown;
  readonly value?: unknown;
  readonly valueFrom?: unknown;
}

export function checkVmEnv(env: readonly EnvVarShape[], field = 'spec.vmConfig.env'): FieldProblem[] {
  const out: FieldProblem[] = [];
  const seen = new Set<string>();
  if (env.length > 256) {
    out.push(problem('WASM015', field, 'holds more than 256 variables', env.length, 'pass at most 256 variables'));
  }
  env.forEach((e, i) => {
    const f = `${field}[${i}]`;
    if (e === null || typeof e !== 'object' || Array.isArray(e)) {
      out.push(problem('WASM015', f, 'must be an object with name and value', typeof e === 'string' ? maskCredential(e) : redactSecrets(e), 'write each variable as { name: NAME, value: VALUE }'));
      return;
    }
    out.push(...checkLength(e.name, `${f}.name`, 1, 256));
    if (typeof e.name === 'string') {
      if (seen.has(e.name)) {
        out.push(problem('WASM015', `${f}.name`, 'is defined twice (the webhook rejects duplicates)', e.name, 'define each variable once'));
      }
      seen.add(e.name);
    }
    if (e.valueFrom === 'HOST' && e.value !== undefined) {
      // variables often carry keys and tokens: their values are never shown
      out.push(problem('WASM015', `${f}.value`, 'must be unset when valueFrom is HOST', maskCredential(e.value),
        'drop value: a HOST variable is copied from the proxy environment'));
    }
    if (e.value !== undefined) out.push(...checkLength(e.value, `${f}.value`, 0, 2048).map((p) => ({ ...p, value: maskCredential(p.value) })));
  });
  return out;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** metadata.name of namespaced Istio and Gateway API objects (RFC 1123 subdomain, 253 chars). */
export function checkObjectName(value: unknown, field = 'metadata.name'): FieldProblem[] {
  if (typeof value === 'string' && value.length <= 253 && DNS_SUBDOMAIN.test(value)) return [];
  return [problem('WASM015', field, 'must be a lowercase RFC 1123 subdomain (a-z, 0-9, "-", ".")', value,
    'pass a name such as "basic-auth-at-gateway"')];
}

/** Names of Namespaces and Services (RFC 1123 label, 63 chars). */
export function checkLabelName(value: unknown, field = 'metadata.name'): FieldProblem[] {
  if (typeof value === 'string' && value.length <= 63 && DNS_LABEL.test(value)) return [];
  return [problem('WASM015', field, 'must be a lowercase RFC 1123 label of at most 63 characters (a-z, 0-9, "-")', value,
    'pass a name such as "bookinfo"')];
}

/** The closed sets of WasmPlugin enum fields, as the CRD lists them. */
export const WASM_ENUMS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['spec.phase', ['UNSPECIFIED_PHASE', 'AUTHN', 'AUTHZ', 'STATS']],
  ['spec.failStrategy', ['FAIL_CLOSE', 'FAIL_OPEN', 'FAIL_RELOAD']],
  ['spec.imagePullPolicy', ['UNSPECIFIED_POLICY', 'IfNotPresent', 'Always']],
  ['spec.type', ['UNSPECIFIED_PLUGIN_TYPE', 'HTTP', 'NETWORK']],
];

/** Values of `spec.match[].mode`. */
export const MATCH_MODES: readonly string[] = ['UNDEFINED', 'CLIENT', 'SERVER', 'CLIENT_AND_SERVER'];

/** An enum field: unset, or exactly one of the listed strings (case-sensitive, as the CRD checks it). */
export function checkEnum(value: unknown, field: string, allowed: readonly string[]): FieldProblem[] {
  if (value === undefined || value === null || (typeof value === 'string' && allowed.includes(value))) return [];
  const near = typeof value === 'string' ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined;
  return [problem('WASM015', field, `is not one of ${allowed.join(', ')}`, value,
    near ? `write ${JSON.stringify(near)}` : `use one of ${allowed.join(', ')}, or leave it unset`)];
}

import { Severity } from './finding';

/** A rule's stable identity: the code users grep for and the README documents. */
export interface RuleInfo {
  readonly code: string;
  readonly severity: Severity;
  readonly title: string;
}

const E = Severity.ERROR;
const W = Severity.WARNING;

/** Every rule the library runs, by code. Codes never change meaning once published. */
export const RULES: readonly RuleInfo[] = [
  { code: 'WASM001', severity: E, title: 'targetRef and targetRefs are both set' },
  { code: 'WASM002', severity: E, title: 'selector is set together with targets' },
  { code: 'WASM003', severity: E, title: 'target reference names another namespace' },
  { code: 'WASM004', severity: E, title: 'target group/kind is not one Istio attaches to' },
  { code: 'WASM005', severity: E, title: 'target Gateway does not exist in the plugin namespace' },
  { code: 'WASM006', severity: E, title: 'target Service does not exist in the plugin namespace' },
  { code: 'WASM007', severity: E, title: 'target ServiceEntry does not exist in the plugin namespace' },
  { code: 'WASM008', severity: E, title: 'GatewayClass target outside the root namespace or not istio-waypoint' },
  { code: 'WASM009', severity: E, title: 'target Service or ServiceEntry is served by no waypoint (unbound, headless, or bound to a Gateway that is not a waypoint)' },
  { code: 'WASM010', severity: E, title: 'more than 16 targets' },
  { code: 'WASM011', severity: E, title: 'sha256 is not 64 lowercase hex characters' },
  { code: 'WASM012', severity: E, title: 'url is empty, does not parse, or has an unsupported scheme' },
  { code: 'WASM013', severity: E, title: 'imagePullSecret is not a kubernetes.io/dockerconfigjson Secret in the plugin namespace' },
  { code: 'WASM014', severity: E, title: 'target Gateway is not run by Istio (its GatewayClass controllerName)' },
  { code: 'WASM015', severity: E, title: 'field value the CRD or the Istio webhook rejects (bounds, enums, selector wildcards)' },
  { code: 'WASM016', severity: W, title: 'legacy singular targetRef used for something other than one Gateway' },
  { code: 'WASM017', severity: E, title: 'plugin can never run: match or the waypoint traffic type excludes every place it attaches to' },
  { code: 'WASM020', severity: W, title: 'selector-based plugin in an ambient namespace' },
  { code: 'WASM021', severity: W, title: 'FAIL_OPEN on an AUTHN or AUTHZ plugin' },
  { code: 'WASM022', severity: W, title: 'match.ports or match.mode CLIENT on a plugin that runs at a waypoint' },
  { code: 'WASM023', severity: W, title: 'unset priority beside plugins with priorities' },
  { code: 'WASM024', severity: W, title: 'NETWORK plugin at a waypoint' },
  { code: 'WASM025', severity: W, title: 'imagePullSecret not found in the manifests' },
  { code: 'WASM026', severity: W, title: 'plugins of one chain share a phase and an explicit priority, so creation time and name order them' },
  { code: 'WASM027', severity: W, title: 'selector matches the pods of a Gateway API gateway (Istio\'s IST0166)' },
  { code: 'WASM028', severity: W, title: 'http(s) module without sha256: nothing checks what is downloaded' },
  { code: 'WASM029', severity: W, title: 'auth plugin at a waypoint that ingress traffic to the Service skips' },
  { code: 'WASM030', severity: E, title: 'url the API server accepts but istiod cannot parse, so it discards the plugin' },
  { code: 'TE001', severity: E, title: 'TrafficExtension sets both or neither of wasm and lua' },
  { code: 'TE002', severity: E, title: 'Lua code does not parse as LuaJIT' },
  { code: 'TE003', severity: W, title: 'Lua code defines neither envoy_on_request nor envoy_on_response' },
  { code: 'TE004', severity: E, title: 'lua.inlineCode is empty or longer than 65536 characters' },
  { code: 'TE005', severity: E, title: 'WasmPlugin field written on a TrafficExtension, where the API server drops it' },
  { code: 'AMB001', severity: E, title: 'waypoint Gateway named none' },
  { code: 'AMB002', severity: E, title: 'use-waypoint names no istio-waypoint Gateway' },
  { code: 'AMB003', severity: E, title: 'istio.io/waypoint-for has a value Istio does not know' },
  { code: 'AMB004', severity: W, title: 'use-waypoint on a namespace not enrolled in ambient' },
  { code: 'AMB005', severity: E, title: 'use-waypoint names a waypoint whose allowedRoutes do not admit the namespace' },
  { code: 'AMB006', severity: E, title: 'use-waypoint names a waypoint that takes no traffic of that kind' },
  { code: 'AMB007', severity: E, title: 'istio.io/dataplane-mode on a Namespace is neither ambient nor none' },
  { code: 'AMB008', severity: W, title: 'use-waypoint names a Gateway that is not a waypoint (istiod binds it anyway)' },
  { code: 'AMB009', severity: W, title: 'use-waypoint on a headless Service, whose traffic goes to pod IPs and never to its waypoint' },
  { code: 'AMB010', severity: W, title: 'istio.io/ingress-use-waypoint is not a value Go reads as a boolean' },
  { code: 'BA001', severity: E, title: 'basic_auth configuration is not the shape the module reads' },
  { code: 'BA002', severity: E, title: 'basic_auth rule has zero or several path matchers' },
  { code: 'BA003', severity: E, title: 'basic_auth path matcher is empty or not a string' },
  { code: 'BA004', severity: E, title: 'basic_auth rule has no request methods' },
  { code: 'BA005', severity: E, title: 'basic_auth rule has no credentials' },
  { code: 'BA006', severity: E, title: 'basic_auth credential is neither user:pass nor base64 the module decodes' },
  { code: 'BA007', severity: E, title: 'basic_auth realm is not a string' },
  { code: 'BA008', severity: E, title: 'basic_auth hosts is not a list of strings' },
  { code: 'BA009', severity: W, title: 'basic_auth plugin without rules lets every request through' },
  { code: 'BA010', severity: E, title: 'basic_auth rule that can never match (path without "/", method empty or not upper case)' },
  { code: 'BA011', severity: W, title: 'basic_auth credentials written in plain text' },
  { code: 'BA012', severity: W, title: 'basic_auth credential the module stores but no standard client sends' },
  { code: 'GW001', severity: E, title: 'HTTPS or TLS listener without certificates, or with tls settings the API server or istiod refuses' },
  { code: 'GW002', severity: W, title: 'listener certificate Secret not in the manifests' },
  { code: 'GW003', severity: E, title: 'listener certificate reference that yields no certificate (not a Secret, or no tls.crt/tls.key)' },
  { code: 'GW004', severity: W, title: 'listener certificate Secret not of type kubernetes.io/tls' },
  { code: 'GW005', severity: E, title: 'listener certificate Secret in another namespace without a ReferenceGrant' },
  { code: 'GW006', severity: W, title: 'TCP listener, which istiod programs only with PILOT_ENABLE_ALPHA_GATEWAY_API' },
  { code: 'GW007', severity: E, title: 'listener protocol istiod does not support' },
  { code: 'GW010', severity: E, title: 'route backend Service that does not exist (the gateway answers 500)' },
  { code: 'GW011', severity: E, title: 'route backend port the Service does not have (the gateway answers 500)' },
  { code: 'GW012', severity: E, title: 'route backend in another namespace without a ReferenceGrant (the gateway answers 500)' },
  { code: 'GW013', severity: E, title: 'route backend of a kind istiod does not route to (the gateway answers 500)' },
  { code: 'GW020', severity: E, title: 'route parentRef names no Gateway, or no listener of it' },
  { code: 'GW021', severity: E, title: 'route hostnames that no listener of the parent accepts' },
  { code: 'GW022', severity: E, title: 'route refused by the listener\'s allowedRoutes (namespace or kind)' },
  { code: 'GW023', severity: E, title: 'route istiod refuses as a whole (unsupported filter, backendRef without port...)' },
  { code: 'GW030', severity: W, title: 'route rule with the same match as another on the same listener and host: one never runs' },
  { code: 'ARGO001', severity: W, title: 'WasmPlugin or TrafficExtension syncs no later than the Gateway it attaches to' },
  { code: 'ARGO002', severity: W, title: 'HTTPRoute syncs no later than its parent Gateway' },
  { code: 'ARGO003', severity: W, title: 'object syncs before its Namespace' },
];

const BY_CODE = new Map(RULES.map((r) => [r.code, r]));

/**
 * Codes that mean the API server (schema, CEL) or Istio's validating webhook refuses the object: it never
 * exists in the cluster, so nothing of it runs.
 */
export const ADMISSION_CODES: ReadonlySet<string> = new Set(['WASM001', 'WASM002', 'WASM003', 'WASM004', 'WASM010', 'WASM011', 'WASM012', 'WASM015']);


export function severityOf(code: string): Severity {
  const r = BY_CODE.get(code);
  if (!r) throw new Error(`unknown rule code ${code}`);
  return r.severity;
}

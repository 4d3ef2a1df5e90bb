/**
 * The listeners of an ingress Gateway as istiod programs them (Istio 1.30.3, `pilot/pkg/config/kube/gateway/`):
 * which route kinds and namespaces each admits, its TLS (certificates, their Secrets and ReferenceGrants), whether
 * istiod programs it at all, and the Service the gateway's pods sit behind. Rules and the simulator both read this.
 */
import { Entry, MeshModel } from './mesh-model';
import { GatewayRole } from './gateway-class';
import { GATEWAY_GROUP, key, labelsOf } from './manifest';
import { findGrant } from './reference-grants';
import { merged } from './merged';

/** A listener of a Gateway, read defensively from the manifest. */
export interface GatewayListener {
  readonly index: number;
  /** `spec.listeners[i]`. */
  readonly field: string;
  readonly name: string;
  /** Undefined when the manifest holds no number there. */
  readonly port?: number;
  readonly protocol: string;
  /** Undefined: every host. */
  readonly hostname?: string;
  /** The listener object as written. */
  readonly raw: any;
}

const listenerCache = new WeakMap<object, GatewayListener[]>();

/** The listeners of a Gateway, in order. */
export function listenersOf(gw: Entry): GatewayListener[] {
  const cached = listenerCache.get(gw.manifest);
  if (cached) return cached;
  const raw: any[] = Array.isArray(gw.manifest.spec?.listeners) ? gw.manifest.spec.listeners : [];
  const out = raw.map((l, index): GatewayListener => ({
    index, field: `spec.listeners[${index}]`, raw: l ?? {},
    name: typeof l?.name === 'string' ? l.name : '',
    port: typeof l?.port === 'number' ? l.port : undefined,
    protocol: typeof l?.protocol === 'string' ? l.protocol : '',
    hostname: typeof l?.hostname === 'string' && l.hostname !== '' ? l.hostname : undefined,
  }));
  listenerCache.set(gw.manifest, out);
  return out;
}

/**
 * Whether istiod turns this Gateway's routes into ingress configuration: its class is one istiod runs as an ingress
 * (the GatewayClass's `controllerName`, or the built-in `istio` class; see `gateway-class.ts`).
 */
export function isIstioIngress(model: MeshModel, gw: Entry): boolean {
  // one answer for the whole library: the model's reading of controllerName and the built-in classes
  return model.gatewayRole(gw) === GatewayRole.INGRESS;
}

/** A route kind as listeners name them. */
export interface RouteGroupKind {
  readonly group: string;
  readonly kind: string;
}

/**
 * The route kinds a listener admits (`conditions.go` `generateSupportedKinds`): HTTP and HTTPS take HTTPRoute and
 * GRPCRoute, TLS takes TLSRoute (and TCPRoute when it terminates), TCP takes TCPRoute; `allowedRoutes.kinds`
 * narrows that to the kinds it lists, and `valid` is false when it lists one the protocol does not support.
 */
export function supportedKinds(l: GatewayListener): { kinds: RouteGroupKind[]; valid: boolean } {
  const k = (kind: string): RouteGroupKind => ({ group: GATEWAY_GROUP, kind });
  let supported: RouteGroupKind[] = [];
  if (l.protocol === 'HTTP' || l.protocol === 'HTTPS') supported = [k('HTTPRoute'), k('GRPCRoute')];
  else if (l.protocol === 'TCP') supported = [k('TCPRoute')];
  else if (l.protocol === 'TLS') supported = l.raw.tls?.mode === 'Terminate' ? [k('TLSRoute'), k('TCPRoute')] : [k('TLSRoute')];
  const listed: any[] = Array.isArray(l.raw.allowedRoutes?.kinds) ? l.raw.allowedRoutes.kinds : [];
  if (listed.length === 0) return { kinds: supported, valid: true };
  const same = (a: RouteGroupKind, b: any) => a.kind === b?.kind && a.group === (b?.group ?? GATEWAY_GROUP);
  const kinds = supported.filter((s) => listed.some((b) => same(s, b)));
  return { kinds, valid: kinds.length === listed.length };
}

/** A decision the manifests may leave open. */
export type Verdict = 'yes' | 'no' | 'unknown';

/** Label Kubernetes puts on every Namespace, and istiod adds when it is missing (`toNamespaceSet`). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * A Kubernetes label selector, evaluated as `metav1.LabelSelectorAsSelector` does: matchLabels and matchExpressions
 * ANDed; an empty selector selects everything; a malformed one (unknown operator, In/NotIn without values,
 * Exists/DoesNotExist with values) is an error, which istiod treats as selecting nothing.
 */
export function labelSelectorMatches(selector: any, labels: Record<string, string>): { ok: boolean; error?: string } {
  if (!selector || typeof selector !== 'object') return { ok: true };
  const ml = selector.matchLabels;
  if (ml && typeof ml === 'object') for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return { ok: false };
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const values: unknown[] = Array.isArray(e?.values) ? e.values : [];
    const has = typeof e?.key === 'string' && Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e?.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return { ok: false, error: `operator ${e.operator} needs values` };
        if (e.operator === 'In' ? !(has && values.includes(labels[e.key])) : (has && values.includes(labels[e.key]))) return { ok: false };
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return { ok: false, error: `operator ${e.operator} takes no values` };
        if (e.operator === 'Exists' ? !has : has) return { ok: false };
        break;
      default:
        return { ok: false, error: `operator ${JSON.stringify(e?.operator)} is not In, NotIn, Exists or DoesNotExist` };
    }
  }
  return { ok: true };
}

/**
 * Whether a listener admits routes from namespace `ns` (`conversion.go` `namespacesFromSelector`): `Same` (the
 * default) only the Gateway's namespace, `All` every one, `Selector` the Namespaces whose labels match (with
 * `kubernetes.io/metadata.name` implied). istiod runs the selector against the Namespaces it knows: a namespace that
 * is not among the manifests is `unknown`. `Selector` without a selector admits every namespace in this code path.
 */
export function listenerAdmitsNamespace(model: MeshModel, gw: Entry, l: GatewayListener, ns: string): { verdict: Verdict; why: string } {
  const n = l.raw.allowedRoutes?.namespaces;
  const from = typeof n?.from === 'string' ? n.from : 'Same';
  if (from === 'All') return { verdict: 'yes', why: `listener ${l.name} admits routes from all namespaces` };
  if (from === 'Selector') {
    if (!n.selector) return { verdict: 'yes', why: `listener ${l.name} has from: Selector without a selector, which istiod reads as every namespace` };
    const own = model.namespaceLabels(ns);
    if (own === undefined) {
      return { verdict: 'unknown', why: `listener ${l.name} admits namespaces matching its selector, and Namespace ${ns} is not among the manifests, so its labels are unknown` };
    }
    const m = labelSelectorMatches(n.selector, { ...own, [NAMESPACE_NAME_LABEL]: ns });
    if (m.error) return { verdict: 'no', why: `listener ${l.name}'s namespace selector is malformed (${m.error}), so istiod admits no namespace` };
    return m.ok ? { verdict: 'yes', why: `Namespace ${ns} matches listener ${l.name}'s selector` } :
      { verdict: 'no', why: `listener ${l.name} admits routes from namespaces matching ${JSON.stringify(n.selector)}, and Namespace ${ns} does not match` };
  }
  // Same, and any value the CRD refuses, read as istiod's default
  return ns === gw.namespace ? { verdict: 'yes', why: `listener ${l.name} admits routes from its own namespace` } :
    { verdict: 'no', why: `listener ${l.name} admits routes from its own namespace ${gw.namespace} only (allowedRoutes.namespaces.from: ${from})` };
}

/** Protocols istiod programs on an ingress gateway with its default settings (`listenerProtocolToIstio`). */
export function protocolProgrammed(protocol: string): { ok: boolean; why?: string } {
  if (protocol === 'HTTP' || protocol === 'HTTPS' || protocol === 'TLS') return { ok: true };
  if (protocol === 'TCP') return { ok: false, why: 'protocol TCP is programmed only when istiod runs with PILOT_ENABLE_ALPHA_GATEWAY_API=true (default false)' };
  const upper = protocol.toUpperCase();
  if (['HTTP', 'HTTPS', 'TLS', 'TCP'].includes(upper)) return { ok: false, why: `protocol ${JSON.stringify(protocol)} is unsupported; istiod expects ${JSON.stringify(upper)} (upper case)` };
  return { ok: false, why: `protocol ${JSON.stringify(protocol)} is unsupported on an Istio ingress gateway` };
}

/** Why a certificate reference gives the listener no certificate. */
export enum CertificateProblem {
  /** group/kind other than core Secret (`buildSecretReference`: "only secret is allowed"). */
  NOT_A_SECRET = 'not-a-secret',
  /** The Secret is in another namespace and no ReferenceGrant there allows the Gateway to read it. */
  NOT_PERMITTED = 'not-permitted',
  /** The Secret is not among the manifests, and nothing in them produces it. */
  MISSING = 'missing',
  /** The Secret has neither tls.crt/tls.key nor cert/key values (`ExtractCertInfo`). */
  NO_KEYS = 'no-keys',
}

/** One `tls.certificateRefs` entry, resolved. */
export interface CertificateResolution {
  readonly field: string;
  readonly namespace: string;
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly secret?: Entry;
  /** An object in the manifests that creates the Secret (cert-manager Certificate, SealedSecret, ExternalSecret). */
  readonly producer?: Entry;
  readonly grant?: Entry;
  readonly problem?: CertificateProblem;
  /** The Secret's `type`, when it is present. */
  readonly secretType?: string;
  /** One line for traces and findings. */
  readonly why: string;
}

/** A listener's TLS as istiod builds it (`buildTLS`). */
export interface ListenerTls {
  /** Undefined when the listener has no `tls`. */
  readonly mode?: 'Terminate' | 'Passthrough';
  readonly certificates: CertificateResolution[];
  /** Whether istiod programs the listener's TLS; `unknown` when it depends on a Secret outside the manifests. */
  readonly programmed: Verdict;
  /** One line: why (not) programmed, or the certificate used. */
  readonly why: string;
  /** Istio's own termination mode from `gateway.istio.io/tls-terminate-mode` (ISTIO_SIMPLE, MUTUAL...), if set. */
  readonly istioMode?: string;
}

const TLS_TERMINATE_MODE = 'gateway.istio.io/tls-terminate-mode';
const CERT_KEYS: ReadonlyArray<readonly [string, string]> = [['cert', 'key'], ['tls.crt', 'tls.key']];

/** Kinds that create a Secret of a given name: cert-manager, Sealed Secrets, External Secrets. */
const SECRET_PRODUCERS: ReadonlyArray<{ group: string; kind: string; secretName: (m: any) => unknown }> = [
  { group: 'cert-manager.io', kind: 'Certificate', secretName: (m) => m.spec?.secretName },
  { group: 'bitnami.com', kind: 'SealedSecret', secretName: (m) => m.spec?.template?.metadata?.name ?? m.metadata?.name },
  { group: 'external-secrets.io', kind: 'ExternalSecret', secretName: (m) => m.spec?.target?.name ?? m.metadata?.name },
];

/** Whether the model reads objects of this kind to find who creates a Secret. */
export function isSecretProducerKind(group: string, kind: string): boolean {
  return SECRET_PRODUCERS.some((p) => p.group === group && p.kind === kind);
}

const producerIndex = new WeakMap<MeshModel, Map<string, Entry>>();

/** The object in the manifests that creates Secret `ns/name`, if any. */
export function secretProducer(model: MeshModel, ns: string, name: string): Entry | undefined {
  let idx = producerIndex.get(model);
  if (!idx) {
    idx = new Map();
    for (const e of model.entries) {
      const p = SECRET_PRODUCERS.find((x) => x.group === e.group && x.kind === e.kind);
      const n = p?.secretName(e.manifest);
      if (typeof n === 'string' && !idx.has(key(e.namespace, n))) idx.set(key(e.namespace, n), e);
    }
    producerIndex.set(model, idx);
  }
  return idx.get(key(ns, name));
}

/** The data keys a Secret manifest carries, with whether each has a value (`data` or `stringData`). */
function secretValues(secret: Entry): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const field of ['data', 'stringData']) {
    const d = secret.manifest[field];
    if (!d || typeof d !== 'object') continue;
    for (const [k, v] of Object.entries(d)) out.set(k, out.get(k) === true || (typeof v === 'string' && v !== ''));
  }
  return out;
}

/** Resolves one certificate reference of a listener of `gw`. */
export function resolveCertificateRef(model: MeshModel, gw: Entry, ref: any, field: string): CertificateResolution {
  const group = String(ref?.group ?? '');
  const kind = String(ref?.kind ?? 'Secret');
  const name = String(ref?.name ?? '');
  const namespace = typeof ref?.namespace === 'string' && ref.namespace !== '' ? ref.namespace : gw.namespace;
  const base = { field, namespace, name, group, kind };
  if (group !== '' || kind !== 'Secret') {
    return merged(base, { problem: CertificateProblem.NOT_A_SECRET, why: `${field} names ${group || 'core'}/${kind} ${name}; istiod reads only core Secrets` });
  }
  let grant: Entry | undefined;
  if (namespace !== gw.namespace) {
    grant = findGrant(model, { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gw.namespace }, { group: '', kind: 'Secret', namespace, name });
    if (!grant) {
      return merged(base, { problem: CertificateProblem.NOT_PERMITTED,
        why: `Secret ${namespace}/${name} is in another namespace and no ReferenceGrant in ${namespace} lets Gateways of ${gw.namespace} read it` });
    }
  }
  const secret = model.secrets.get(key(namespace, name));
  if (!secret) {
    const producer = secretProducer(model, namespace, name);
    if (producer) return merged(base, { grant, producer, why: `Secret ${namespace}/${name} is created by ${producer.kind} ${producer.namespace}/${producer.name} (assumed issued)` });
    return merged(base, { grant, problem: CertificateProblem.MISSING, why: `Secret ${namespace}/${name} is not among the manifests` });
  }
  const secretType = typeof secret.manifest.type === 'string' ? secret.manifest.type : 'Opaque';
  const values = secretValues(secret);
  if (!CERT_KEYS.some(([c, k]) => values.get(c) === true && values.get(k) === true)) {
    const found = [...values.keys()].sort().join(', ') || 'none';
    return merged(base, { grant, secret, secretType, problem: CertificateProblem.NO_KEYS,
      why: `Secret ${namespace}/${name} has no tls.crt and tls.key values (keys: ${found}), so istiod finds no certificate in it` });
  }
  return merged(base, { grant, secret, secretType, why: `certificate from Secret ${namespace}/${name}${grant ? ` (ReferenceGrant ${grant.namespace}/${grant.name})` : ''}` });
}

/** A listener's TLS, resolved (`conversion.go` `buildTLS`, `buildSecretReference`). */
export function resolveListenerTls(model: MeshModel, gw: Entry, l: GatewayListener): ListenerTls {
  const tls = l.raw.tls;
  if (!tls || typeof tls !== 'object') {
    if (l.protocol === 'HTTPS' || l.protocol === 'TLS') {
      return { certificates: [], programmed: 'unknown', why: `listener ${l.name} (${l.protocol}) has no tls, which the Gateway API requires; what istiod programs then is not decided here` };
    }
    return { certificates: [], programmed: 'yes', why: 'no TLS' };
  }
  const mode: 'Terminate' | 'Passthrough' = tls.mode === 'Passthrough' ? 'Passthrough' : 'Terminate';
  if (mode === 'Passthrough') return { mode, certificates: [], programmed: 'yes', why: `listener ${l.name} passes TLS through to the backend` };
  const istioMode = typeof tls.options?.[TLS_TERMINATE_MODE] === 'string' ? tls.options[TLS_TERMINATE_MODE] : undefined;
  if (istioMode === 'ISTIO_SIMPLE' || istioMode === 'ISTIO_MUTUAL') {
    return { mode, istioMode, certificates: [], programmed: 'yes', why: `listener ${l.name} terminates TLS with Istio's own workload certificate (${TLS_TERMINATE_MODE}: ${istioMode})` };
  }
  const refs: any[] = Array.isArray(tls.certificateRefs) ? tls.certificateRefs : [];
  const certificates = refs.map((r, i) => resolveCertificateRef(model, gw, r, `${l.field}.tls.certificateRefs[${i}]`));
  if (refs.length > 2) {
    return { mode, istioMode, certificates, programmed: 'no', why: `listener ${l.name} has ${refs.length} certificateRefs; istiod programs at most 2 and refuses the listener` };
  }
  if (refs.length === 0) return { mode, istioMode, certificates, programmed: 'no', why: `listener ${l.name} terminates TLS without a certificate` };
  const valid = certificates.filter((c) => c.problem === undefined);
  if (valid.length > 0) return { mode, istioMode, certificates, programmed: 'yes', why: valid.map((c) => c.why).join('; ') };
  if (certificates.some((c) => c.problem === CertificateProblem.MISSING)) {
    return { mode, istioMode, certificates, programmed: 'unknown',
      why: `${certificates.map((c) => c.why).join('; ')}: istiod programs listener ${l.name} only if the Secret exists in the cluster with a certificate` };
  }
  return { mode, istioMode, certificates, programmed: 'no', why: `listener ${l.name} has no usable certificate: ${certificates.map((c) => c.why).join('; ')}` };
}

/**
 * Whether istiod programs the listener at all (`buildListener` returns ok=false, and the Gateway config is dropped,
 * for a protocol it does not support or TLS it cannot build).
 */
export function listenerProgrammed(model: MeshModel, gw: Entry, l: GatewayListener): { verdict: Verdict; why: string; tls: ListenerTls } {
  const tls = resolveListenerTls(model, gw, l);
  const proto = protocolProgrammed(l.protocol);
  if (!proto.ok) return { verdict: 'no', why: `listener ${l.name}: ${proto.why}`, tls };
  return { verdict: tls.programmed, why: tls.why, tls };
}

/** Annotation that renames the Deployment and Service istiod creates for a Gateway. */
export const NAME_OVERRIDE_ANNOTATION = 'gateway.istio.io/name-override';

/**
 * The Services a Gateway's pods sit behind (`extractGatewayServices`): `<name>-<class>` (or the name-override
 * annotation) that istiod creates, unless the Gateway is bound to existing Services by `Hostname` addresses
 * (manual deployment: more than one address, or one that is not an IP address).
 */
export function gatewayServices(model: MeshModel, gw: Entry): { managed: boolean; services: Array<{ namespace: string; name: string }>; host?: string } {
  const addresses: any[] = Array.isArray(gw.manifest.spec?.addresses) ? gw.manifest.spec.addresses : [];
  const managed = addresses.length === 0 || (addresses.length === 1 && (addresses[0]?.type === undefined || addresses[0]?.type === 'IPAddress'));
  if (managed) {
    const override = gw.manifest.metadata?.annotations?.[NAME_OVERRIDE_ANNOTATION];
    const name = typeof override === 'string' && override !== '' ? override : `${gw.name}-${model.gatewayClassName(gw)}`;
    return { managed, services: [{ namespace: gw.namespace, name }] };
  }
  const services: Array<{ namespace: string; name: string }> = [];
  for (const a of addresses) {
    if (a?.type !== undefined && a.type !== 'Hostname') continue;
    const v = String(a?.value ?? '');
    // a short name is a Service in the Gateway's namespace; a dotted one <svc>.<ns>[.svc...]
    const parts = v.split('.');
    services.push(parts.length === 1 ? { namespace: gw.namespace, name: v } : { namespace: parts[1], name: parts[0] });
  }
  return { managed, services };
}

/** Labels of the Service istiod generates for a managed Gateway: the infrastructure labels, else the Gateway's own. */
export function generatedServiceLabels(gw: Entry): Record<string, string> {
  const infra = gw.manifest.spec?.infrastructure;
  return infra ? labelsOf({ metadata: { labels: infra.labels } }) : labelsOf(gw.manifest);
}

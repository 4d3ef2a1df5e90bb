import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Gateway as GatewayL1, GatewayProps as GatewayL1Props } from '../imports/gateway.networking.k8s.io';
import { crdObject } from '../private/crd-object';
import { MeshContext } from '../private/mesh-context';
import { namespaceOf, throwIfProblems } from '../private/names';
import { FieldProblem, Severity } from '../rules/finding';
import { checkLabelName, checkObjectName, checkPort } from '../rules/wasm-fields';
import { IPolicyTarget, PolicyTargetReference } from '../core/policy-target';
import { IApiObjectLike, checkCoreKind } from './api-object-like';
import { HttpRoute, HttpRouteOptions } from './http-route';
import { ReferenceGrant } from './reference-grant';
import { checkHostname } from './route-parent';
import { merged } from '../model/merged';

/** Listener protocols of an ingress Gateway (Gateway API standard channel). */
export enum ListenerProtocol {
  /** Plain HTTP: HTTPRoutes and GRPCRoutes. */
  HTTP = 'HTTP',
  /** HTTP over TLS terminated at the gateway (needs `tls`): HTTPRoutes and GRPCRoutes. */
  HTTPS = 'HTTPS',
  /** TLS, passed through or terminated (needs `tls`); TLSRoute is not in the pinned standard channel. */
  TLS = 'TLS',
  /** TCP: istiod programs it only with PILOT_ENABLE_ALPHA_GATEWAY_API=true, and TCPRoute is not in the standard channel. */
  TCP = 'TCP',
}

/** Which namespaces may attach routes to a listener. */
export enum RouteNamespaces {
  /** Only the Gateway's namespace. */
  SAME = 'Same',
  /** Every namespace. */
  ALL = 'All',
  /** Namespaces whose labels match `namespaceSelector`. */
  SELECTOR = 'Selector',
}

/** One requirement of a label selector. */
export interface LabelSelectorRequirement {
  /** Label key. */
  readonly key: string;
  /** `In`, `NotIn`, `Exists` or `DoesNotExist`. */
  readonly operator: string;
  /** Values, for In and NotIn (at least one). @default - none */
  readonly values?: string[];
}

/** A label selector over Namespaces (`kubernetes.io/metadata.name` is always there). */
export interface NamespaceSelector {
  /** Labels a namespace must have. @default - none */
  readonly matchLabels?: { [key: string]: string };
  /** Further requirements. @default - none */
  readonly matchExpressions?: LabelSelectorRequirement[];
}

/** A route kind a listener admits. */
export class RouteKind {
  /** HTTPRoute. */
  public static readonly HTTP_ROUTE = new RouteKind('gateway.networking.k8s.io', 'HTTPRoute');
  /** GRPCRoute. */
  public static readonly GRPC_ROUTE = new RouteKind('gateway.networking.k8s.io', 'GRPCRoute');
  /** Any other route kind (e.g. TLSRoute from the experimental channel). */
  public static of(group: string, kind: string): RouteKind {
    return new RouteKind(group, kind);
  }
  private constructor(public readonly group: string, public readonly kind: string) {}
}

/** A listener certificate: a Secret of type kubernetes.io/tls (tls.crt and tls.key). */
export class CertificateRef {
  /**
   * A Secret of this app: an ApiObject of kind Secret, or a `kplus.TlsSecret` of any cdk8s-plus version. In another
   * namespace than the Gateway's, the gateway adds the ReferenceGrant that lets it read the Secret.
   */
  public static fromSecret(secret: IApiObjectLike): CertificateRef {
    checkCoreKind(secret, 'Secret', 'CertificateRef.fromSecret', 'secret', 'pass a Secret of type kubernetes.io/tls (a kplus.TlsSecret or an ApiObject), or CertificateRef.fromSecretName(name)');
    return new CertificateRef(secret.name, secret.metadata.namespace, secret);
  }

  /**
   * A Secret by name, for one created outside this app (cert-manager, External Secrets, kubectl). In another namespace,
   * the gateway adds the ReferenceGrant there.
   *
   * @param namespace @default - the Gateway's namespace
   */
  public static fromSecretName(name: string, namespace?: string): CertificateRef {
    return new CertificateRef(name, namespace);
  }

  private constructor(public readonly secretName: string, public readonly namespace?: string, private readonly secret?: IConstruct) {
    if (typeof secretName !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(secretName)) {
      throw new Error(`CertificateRef: name: must be a Secret name, a lowercase RFC 1123 subdomain (got ${JSON.stringify(secretName)}); pass the Secret's metadata.name`);
    }
  }

  /** @internal the construct that defines the Secret, if this app does */
  public get _secret(): IConstruct | undefined {
    return this.secret;
  }
}

/** How a listener handles TLS. */
export class ListenerTls {
  /**
   * TLS ends at the gateway with these certificates (one, or two: RSA and ECDSA); HTTP routing follows.
   *
   * @param options implementation options, e.g. `gateway.istio.io/tls-terminate-mode: MUTUAL`
   */
  public static terminate(certificates: CertificateRef[], options?: { [key: string]: string }): ListenerTls {
    if (certificates.length === 0 && !options) {
      throw new Error('ListenerTls.terminate: certificates: is empty (got []); pass CertificateRef.fromSecret(secret), or options with gateway.istio.io/tls-terminate-mode: ISTIO_SIMPLE');
    }
    if (certificates.length > 2) {
      throw new Error(`ListenerTls.terminate: certificates: istiod serves at most 2 certificates per listener (got ${certificates.length}); pass one, or one RSA and one ECDSA certificate`);
    }
    return new ListenerTls('Terminate', [...certificates], options ? { ...options } : undefined);
  }

  /** TLS passes through to the backend; the gateway routes by SNI only (TLSRoute, not in the pinned standard channel). */
  public static passthrough(): ListenerTls {
    return new ListenerTls('Passthrough', []);
  }

  private constructor(public readonly mode: string, public readonly certificates: CertificateRef[], public readonly options?: { [key: string]: string }) {}
}

/** One listener of an ingress Gateway. */
export interface GatewayListener {
  /** Listener name, referenced by routes' `sectionName`. */
  readonly name: string;
  /** Port. */
  readonly port: number;
  /** Protocol. */
  readonly protocol: ListenerProtocol;
  /** Hostname the listener accepts (for HTTPS and TLS, the SNI too). @default - any host */
  readonly hostname?: string;
  /**
   * Namespaces allowed to attach routes (`allowedRoutes.namespaces.from`).
   *
   * @default - not rendered (Gateway API default: Same)
   */
  readonly allowedRoutes?: RouteNamespaces;
  /** The selector, with `allowedRoutes: RouteNamespaces.SELECTOR`. @default - none */
  readonly namespaceSelector?: NamespaceSelector;
  /** Route kinds admitted. @default - what the protocol takes (HTTPRoute and GRPCRoute on HTTP and HTTPS) */
  readonly allowedKinds?: RouteKind[];
  /** TLS; required for HTTPS and TLS, refused for HTTP and TCP. @default - none */
  readonly tls?: ListenerTls;
}

/** An address the Gateway asks for. */
export class GatewayAddress {
  /** An IP address for the gateway's Service (istiod still creates the Service, with that loadBalancerIP). */
  public static ipAddress(ip: string): GatewayAddress {
    return new GatewayAddress('IPAddress', ip);
  }
  /**
   * Binds the Gateway to an existing Service instead of creating one ("manual deployment"): a Service name in the
   * Gateway's namespace, or `<service>.<namespace>.svc.cluster.local`.
   */
  public static hostname(service: string): GatewayAddress {
    return new GatewayAddress('Hostname', service);
  }
  private constructor(public readonly type: string, public readonly value: string) {
    if (typeof value !== 'string' || value === '' || value.length > 253) throw new Error(`GatewayAddress.${type === 'IPAddress' ? 'ipAddress' : 'hostname'}: value: must be 1 to 253 characters (got ${JSON.stringify(value)}); pass ${type === 'IPAddress' ? 'an IP address' : 'a Service name'}`);
  }
}

/** Props of {@link IngressGateway}. */
export interface IngressGatewayProps {
  /**
   * `metadata.name`; Istio names the Deployment and Service `<name>-istio`.
   *
   * @default - the construct id, which must then be a valid name
   */
  readonly name?: string;
  /** @default - the enclosing AmbientNamespace or chart namespace, else "default" */
  readonly namespace?: string;
  /**
   * Listeners; more with `addListener()`.
   *
   * @default - one listener `http` on port 80, HTTP, routes from the same namespace (Istio's Bookinfo gateway)
   */
  readonly listeners?: GatewayListener[];
  /** Addresses (`spec.addresses`). @default - none: istiod creates `<name>-istio` */
  readonly addresses?: GatewayAddress[];
  /** Labels istiod puts on the Deployment, Service and pods it creates (`spec.infrastructure.labels`). @default - none */
  readonly infrastructureLabels?: { [key: string]: string };
  /** Annotations for the same (`spec.infrastructure.annotations`). @default - none */
  readonly infrastructureAnnotations?: { [key: string]: string };
}

const DEFAULT_LISTENERS: GatewayListener[] = [{ name: 'http', port: 80, protocol: ListenerProtocol.HTTP, allowedRoutes: RouteNamespaces.SAME }];

/**
 * An Istio ingress gateway: a Gateway API `Gateway` of class `istio`. Istio deploys it as `<name>-istio`.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/
 */
export class IngressGateway extends Construct implements IPolicyTarget {
  /** `metadata.name`. */
  public readonly name: string;
  /** `metadata.namespace`. */
  public readonly namespace: string;
  /** The Gateway object. */
  public readonly apiObject: ApiObject;
  private readonly listeners: GatewayListener[] = [];
  private readonly grants = new Map<string, ReferenceGrant>();

  constructor(scope: Construct, id: string, props: IngressGatewayProps = {}) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = namespaceOf(this, props.namespace);
    throwIfProblems(this, 'Gateway', this.namespace, this.name, checkObjectName(this.name));
    const addresses = props.addresses ?? [];
    if (addresses.length > 16) throwIfProblems(this, 'Gateway', this.namespace, this.name, [this.problem('spec.addresses', 'has more than 16 entries', addresses.length, 'keep at most 16')]);
    const infra = {
      ...(props.infrastructureLabels ? { labels: { ...props.infrastructureLabels } } : {}),
      ...(props.infrastructureAnnotations ? { annotations: { ...props.infrastructureAnnotations } } : {}),
    };
    this.apiObject = crdObject<GatewayL1Props>(this, 'Resource', GatewayL1.GVK, {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        gatewayClassName: 'istio',
        ...(addresses.length ? { addresses: addresses.map((a) => ({ type: a.type, value: a.value })) } : {}),
        ...(Object.keys(infra).length ? { infrastructure: infra } : {}),
        // listeners can still grow after construction: rendered at synth
        listeners: Lazy.any({ produce: () => this.listeners.map((l) => renderListener(l, this.namespace)) }) as any,
      },
    });
    MeshContext.of(this).own(this, this.apiObject);
    for (const l of props.listeners ?? DEFAULT_LISTENERS) this.addListener(l);
  }

  /** The in-cluster host of the Service Istio creates for this gateway. */
  public get serviceHost(): string {
    return `${this.name}-istio.${this.namespace}.svc.cluster.local`;
  }

  /** Targets this gateway's proxies. */
  public toTargetRef(): PolicyTargetReference {
    return { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: this.name, namespace: this.namespace };
  }

  /** Adds a listener; certificates in other namespaces come with the ReferenceGrant they need. */
  public addListener(listener: GatewayListener): void {
    const i = this.listeners.length;
    const f = `spec.listeners[${i}]`;
    const problems: FieldProblem[] = [...checkPort(listener.port, `${f}.port`)];
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(listener.name ?? '')) {
      problems.push(this.problem(`${f}.name`, 'must be a lowercase RFC 1123 subdomain', listener.name, 'name it e.g. "https"'));
    }
    if (this.listeners.some((l) => l.name === listener.name)) problems.push(this.problem(`${f}.name`, 'is the name of another listener (the CRD refuses it)', listener.name, 'give each listener its own name'));
    if (this.listeners.some((l) => l.port === listener.port && l.protocol === listener.protocol && (l.hostname ?? '') === (listener.hostname ?? ''))) {
      problems.push(this.problem(f, 'repeats the port, protocol and hostname of another listener (the CRD refuses it)', `${listener.port}/${listener.protocol}/${listener.hostname ?? ''}`, 'change the hostname or port'));
    }
    if (listener.hostname !== undefined) {
      const bad = checkHostname(listener.hostname);
      if (bad) problems.push(this.problem(`${f}.hostname`, bad, listener.hostname, 'write e.g. "shop.example.com" or "*.example.com"'));
      if (listener.protocol === ListenerProtocol.TCP) problems.push(this.problem(`${f}.hostname`, 'must not be set for protocol TCP (the CRD refuses it)', listener.hostname, 'drop the hostname'));
    }
    const secure = listener.protocol === ListenerProtocol.HTTPS || listener.protocol === ListenerProtocol.TLS;
    if (secure && !listener.tls) {
      problems.push({ code: 'GW001', severity: Severity.ERROR, field: `${f}.tls`, message: `is missing: a ${listener.protocol} listener needs TLS settings, and without them no certificate is served`, value: undefined,
        fix: `pass tls: ListenerTls.terminate([CertificateRef.fromSecret(secret)])${listener.protocol === ListenerProtocol.TLS ? ' or ListenerTls.passthrough()' : ''}` });
    }
    if (!secure && listener.tls) {
      problems.push({ code: 'GW001', severity: Severity.ERROR, field: `${f}.tls`, message: `must not be set for protocol ${listener.protocol} (the CRD refuses it)`, value: listener.tls.mode, fix: 'drop tls, or use ListenerProtocol.HTTPS' });
    }
    if (listener.protocol === ListenerProtocol.HTTPS && listener.tls?.mode === 'Passthrough') {
      problems.push({ code: 'GW001', severity: Severity.ERROR, field: `${f}.tls.mode`, message: 'must be Terminate for HTTPS (the CRD refuses it)', value: 'Passthrough', fix: 'use ListenerProtocol.TLS for passthrough' });
    }
    const selector = listener.allowedRoutes === RouteNamespaces.SELECTOR;
    if (selector !== (listener.namespaceSelector !== undefined)) {
      problems.push(this.problem(`${f}.allowedRoutes.namespaces`, selector ? 'is from Selector without a namespaceSelector' : 'has a namespaceSelector but allowedRoutes is not RouteNamespaces.SELECTOR',
        listener.allowedRoutes, 'pass allowedRoutes: RouteNamespaces.SELECTOR together with namespaceSelector'));
    }
    for (const e of listener.namespaceSelector?.matchExpressions ?? []) {
      const needsValues = e.operator === 'In' || e.operator === 'NotIn';
      if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator) || needsValues !== ((e.values ?? []).length > 0)) {
        problems.push(this.problem(`${f}.allowedRoutes.namespaces.selector.matchExpressions`, 'must use In or NotIn with values, or Exists or DoesNotExist without (istiod admits no namespace otherwise)', e, 'fix the requirement'));
      }
    }
    for (const c of listener.tls?.certificates ?? []) {
      if (c.namespace !== undefined && c.namespace !== this.namespace) problems.push(...checkLabelName(c.namespace, `${f}.tls.certificateRefs.namespace`));
    }
    throwIfProblems(this, 'Gateway', this.namespace, this.name, problems);
    this.listeners.push({ ...listener });
    for (const c of listener.tls?.certificates ?? []) {
      if (c.namespace !== undefined && c.namespace !== this.namespace) this.grantFor(c);
    }
    MeshContext.of(this).invalidate();
  }

  /** Adds an HTTPRoute attached to this gateway, in its namespace. */
  public addHttpRoute(id: string, options: HttpRouteOptions): HttpRoute {
    return new HttpRoute(this, id, merged(options, { gateway: this, namespace: this.namespace }));
  }

  private problem(field: string, message: string, value: unknown, fix: string): FieldProblem {
    return { code: 'GW001', severity: Severity.ERROR, field, message, value, fix };
  }

  /**
   * The ReferenceGrant that lets this Gateway read a certificate in another namespace: one per namespace, in the
   * chart that defines the Secret when this app does (its owner grants), else under this gateway.
   */
  private grantFor(c: CertificateRef): void {
    const ns = c.namespace!;
    let grant = this.grants.get(ns);
    if (!grant) {
      const secret = c._secret;
      let scope: Construct = this;
      if (secret) {
        try { scope = Chart.of(secret); } catch { scope = this; }
      }
      const id = scope === this ? `CertificateGrant-${ns}` : `CertificateGrant-${this.namespace}-${this.name}`;
      grant = new ReferenceGrant(scope, id, {
        name: `gateway-${this.namespace}-${this.name}`.slice(0, 253).replace(/-+$/, ''),
        namespace: ns,
        from: [{ kind: 'Gateway', namespace: this.namespace }],
      });
      this.grants.set(ns, grant);
    }
    grant.addTo({ kind: 'Secret', name: c.secretName });
  }
}

function renderListener(l: GatewayListener, gwNamespace: string): any {
  const kinds = l.allowedKinds?.map((k) => ({ group: k.group, kind: k.kind }));
  const ns = l.allowedRoutes !== undefined ? {
    namespaces: { from: l.allowedRoutes as string, ...(l.namespaceSelector ? { selector: renderSelector(l.namespaceSelector) } : {}) },
  } : {};
  const allowedRoutes = l.allowedRoutes !== undefined || kinds ? merged(ns, kinds ? { kinds } : {}) : undefined;
  const tls = l.tls ? {
    mode: l.tls.mode,
    ...(l.tls.certificates.length ? { certificateRefs: l.tls.certificates.map((c) => ({ group: '', kind: 'Secret', name: c.secretName, ...(c.namespace !== undefined && c.namespace !== gwNamespace ? { namespace: c.namespace } : {}) })) } : {}),
    ...(l.tls.options ? { options: { ...l.tls.options } } : {}),
  } : undefined;
  return {
    name: l.name,
    port: l.port,
    protocol: l.protocol,
    ...(l.hostname !== undefined ? { hostname: l.hostname } : {}),
    ...(allowedRoutes ? { allowedRoutes } : {}),
    ...(tls ? { tls } : {}),
  };
}

function renderSelector(s: NamespaceSelector): any {
  return {
    ...(s.matchLabels ? { matchLabels: { ...s.matchLabels } } : {}),
    ...(s.matchExpressions?.length ? { matchExpressions: s.matchExpressions.map((e) => ({ key: e.key, operator: e.operator, ...(e.values?.length ? { values: [...e.values] } : {}) })) } : {}),
  };
}

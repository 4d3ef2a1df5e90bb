import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { Gateway as GatewayL1, GatewayProps as GatewayL1Props, HttpRoute as HttpRouteL1, HttpRouteProps as HttpRouteL1Props } from '../imports/gateway.networking.k8s.io';
import { crdObject } from '../private/crd-object';
import { MeshContext } from '../private/mesh-context';
import { namespaceOf, throwIfProblems } from '../private/names';
import { checkObjectName, checkPort } from '../rules/wasm-fields';
import { IPolicyTarget, PolicyTargetReference } from '../wasm/policy-target';

/** Listener protocols of an ingress Gateway. */
export enum ListenerProtocol {
  HTTP = 'HTTP',
  HTTPS = 'HTTPS',
  TLS = 'TLS',
  TCP = 'TCP',
}

/** Which namespaces may attach routes to a listener. */
export enum RouteNamespaces {
  /** Only the Gateway's namespace. */
  SAME = 'Same',
  /** Every namespace. */
  ALL = 'All',
}

/** One listener of an ingress Gateway. */
export interface GatewayListener {
  /** Listener name, referenced by routes' `sectionName`. */
  readonly name: string;
  /** Port. */
  readonly port: number;
  /** Protocol. */
  readonly protocol: ListenerProtocol;
  /** Hostname the listener accepts. @default - any host */
  readonly hostname?: string;
  /**
   * Namespaces allowed to attach routes (`allowedRoutes.namespaces.from`).
   *
   * @default - not rendered (Gateway API default: Same)
   */
  readonly allowedRoutes?: RouteNamespaces;
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
   * Listeners.
   *
   * @default - one listener `http` on port 80, HTTP, routes from the same namespace (Istio's Bookinfo gateway)
   */
  readonly listeners?: GatewayListener[];
}

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

  constructor(scope: Construct, id: string, props: IngressGatewayProps = {}) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = namespaceOf(this, props.namespace);
    const listeners = props.listeners ?? [{ name: 'http', port: 80, protocol: ListenerProtocol.HTTP, allowedRoutes: RouteNamespaces.SAME }];
    throwIfProblems(this, 'Gateway', this.namespace, this.name, [
      ...checkObjectName(this.name),
      ...listeners.flatMap((l, i) => checkPort(l.port, `spec.listeners[${i}].port`)),
    ]);
    this.apiObject = crdObject<GatewayL1Props>(this, 'Resource', GatewayL1.GVK, {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        gatewayClassName: 'istio',
        listeners: listeners.map((l) => ({
          name: l.name,
          port: l.port,
          protocol: l.protocol,
          ...(l.hostname !== undefined ? { hostname: l.hostname } : {}),
          ...(l.allowedRoutes !== undefined ? { allowedRoutes: { namespaces: { from: l.allowedRoutes as any } } } : {}),
        })),
      },
    });
    MeshContext.of(this).own(this, this.apiObject);
  }

  /** The in-cluster host of the Service Istio creates for this gateway. */
  public get serviceHost(): string {
    return `${this.name}-istio.${this.namespace}.svc.cluster.local`;
  }

  /** Targets this gateway's proxies. */
  public toTargetRef(): PolicyTargetReference {
    return { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: this.name, namespace: this.namespace };
  }

  /** Adds an HTTPRoute attached to this gateway. */
  public addHttpRoute(id: string, options: HttpRouteOptions): HttpRoute {
    return new HttpRoute(this, id, { ...options, gateway: this });
  }
}

/** Path match types of an HTTPRoute. */
export enum HttpPathMatchType {
  EXACT = 'Exact',
  PATH_PREFIX = 'PathPrefix',
}

/** One `matches[]` entry of an HTTPRoute rule. */
export class HttpRouteMatch {
  /** The path equals `path`. */
  public static exact(path: string): HttpRouteMatch {
    return new HttpRouteMatch(HttpPathMatchType.EXACT, path);
  }
  /** The path is `path` or under it, by whole segments. */
  public static pathPrefix(path: string): HttpRouteMatch {
    return new HttpRouteMatch(HttpPathMatchType.PATH_PREFIX, path);
  }
  private constructor(public readonly type: HttpPathMatchType, public readonly path: string) {}
}

/** A backend Service of an HTTPRoute rule. */
export interface HttpBackend {
  /** Service name, in the route's namespace. */
  readonly serviceName: string;
  /** Service port. */
  readonly port: number;
}

/** One rule of an HTTPRoute. */
export interface HttpRouteRule {
  /** Matches; any one suffices. */
  readonly matches: HttpRouteMatch[];
  /** Backends. */
  readonly backends: HttpBackend[];
}

/** Options of {@link IngressGateway.addHttpRoute}. */
export interface HttpRouteOptions {
  /** `metadata.name`. */
  readonly name: string;
  /** Hostnames. @default - any host */
  readonly hostnames?: string[];
  /** Rules; more can be added with `addRule()`. @default - none */
  readonly rules?: HttpRouteRule[];
}

/** Props of {@link HttpRoute}. */
export interface HttpRouteProps extends HttpRouteOptions {
  /** The parent gateway. */
  readonly gateway: IngressGateway;
}

/** A Gateway API `HTTPRoute` attached to an ingress gateway. */
export class HttpRoute extends Construct {
  /** `metadata.name`. */
  public readonly name: string;
  /** The HTTPRoute object. */
  public readonly apiObject: ApiObject;
  private readonly rules: HttpRouteRule[] = [];

  constructor(scope: Construct, id: string, props: HttpRouteProps) {
    super(scope, id);
    this.name = props.name;
    throwIfProblems(this, 'HTTPRoute', props.gateway.namespace, this.name, checkObjectName(this.name));
    this.apiObject = crdObject<HttpRouteL1Props>(this, 'Resource', HttpRouteL1.GVK, {
      metadata: { name: this.name, namespace: props.gateway.namespace },
      spec: {
        parentRefs: [{ name: props.gateway.name }],
        ...(props.hostnames ? { hostnames: [...props.hostnames] } : {}),
        // rules can still grow after construction: rendered at synth
        rules: Lazy.any({ produce: () => this.rules.map(renderRule) }) as any,
      },
    });
    MeshContext.of(this).own(this, this.apiObject);
    for (const r of props.rules ?? []) this.addRule(r);
  }

  /** Adds a rule. */
  public addRule(rule: HttpRouteRule): void {
    this.rules.push({ matches: [...rule.matches], backends: rule.backends.map((b) => ({ ...b })) });
    MeshContext.of(this).invalidate();
  }
}

function renderRule(rule: HttpRouteRule): any {
  return {
    matches: rule.matches.map((m) => ({ path: { type: m.type, value: m.path } })),
    backendRefs: rule.backends.map((b) => ({ name: b.serviceName, port: b.port })),
  };
}

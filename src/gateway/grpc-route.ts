import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GrpcRoute as GrpcRouteL1, GrpcRouteProps as GrpcRouteL1Props } from '../imports/gateway.networking.k8s.io';
import { crdObject } from '../private/crd-object';
import { MeshContext } from '../private/mesh-context';
import { namespaceOf, throwIfProblems } from '../private/names';
import { HttpBackend } from './backend';
import { HttpHeaderMatch, HttpRouteFilter, HttpRouteFilterType, HttpValueMatchType } from './http-route';
import type { IngressGateway } from './ingress-gateway';
import { RouteParent } from './route-parent';
import { routeHeadProblems, routeSpec, ruleProblem } from './route-spec';

/** One `matches[]` entry of a GRPCRoute rule: a service and/or method, and headers. */
export interface GrpcRouteMatch {
  /** Fully qualified service, e.g. `shop.v1.Catalog`. @default - any service */
  readonly service?: string;
  /** Method, e.g. `ListItems`. @default - any method */
  readonly method?: string;
  /** How service and method compare. @default HttpValueMatchType.EXACT */
  readonly type?: HttpValueMatchType;
  /** Header (metadata) matches, all required. @default - none */
  readonly headers?: HttpHeaderMatch[];
}

/** One rule of a GRPCRoute. */
export interface GrpcRouteRule {
  /** Matches; any one suffices. @default - every request */
  readonly matches?: GrpcRouteMatch[];
  /** Backends, weighted. Without one, istiod answers 500. @default - none */
  readonly backends?: HttpBackend[];
  /** Filters: request and response header modifiers, and mirrors (what the GRPCRoute standard channel has). @default - none */
  readonly filters?: HttpRouteFilter[];
}

/** Props of {@link GrpcRoute}. */
export interface GrpcRouteProps {
  /** `metadata.name`. */
  readonly name: string;
  /** The parent gateway (`sectionName` narrows it to a listener). @default - none: `parents` must name one */
  readonly gateway?: IngressGateway;
  /** The listener of `gateway`. @default - every listener that admits the route */
  readonly sectionName?: string;
  /** More parents, or the only ones. @default - none */
  readonly parents?: RouteParent[];
  /** @default - the enclosing AmbientNamespace or chart namespace, else "default" */
  readonly namespace?: string;
  /** Hostnames. @default - any host */
  readonly hostnames?: string[];
  /** Rules; more with `addRule()`. @default - none */
  readonly rules?: GrpcRouteRule[];
}

const GRPC_FILTERS = [HttpRouteFilterType.REQUEST_HEADER_MODIFIER, HttpRouteFilterType.RESPONSE_HEADER_MODIFIER, HttpRouteFilterType.REQUEST_MIRROR];

/**
 * A Gateway API `GRPCRoute`: gRPC calls matched on service, method and metadata. istiod merges it with the HTTPRoutes
 * of the same host, as `/<service>/<method>` path matches.
 *
 * @see https://gateway-api.sigs.k8s.io/api-types/grpcroute/
 */
export class GrpcRoute extends Construct {
  /** `metadata.name`. */
  public readonly name: string;
  /** `metadata.namespace`. */
  public readonly namespace: string;
  /** The GRPCRoute object. */
  public readonly apiObject: ApiObject;
  private readonly rules: GrpcRouteRule[] = [];

  constructor(scope: Construct, id: string, props: GrpcRouteProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = namespaceOf(this, props.namespace);
    const hostnames = props.hostnames ?? [];
    const parents = [...(props.gateway ? [RouteParent.fromGateway(props.gateway, { sectionName: props.sectionName })] : []), ...(props.parents ?? [])];
    throwIfProblems(this, 'GRPCRoute', this.namespace, this.name, routeHeadProblems(this.name, hostnames, parents, 'write e.g. "grpc.example.com"'));
    const ns = this.namespace;
    this.apiObject = crdObject<GrpcRouteL1Props>(this, 'Resource', GrpcRouteL1.GVK, {
      metadata: { name: this.name, namespace: ns },
      spec: routeSpec(parents, hostnames, ns, () => this.rules.map((r) => renderRule(r, ns))),
    });
    MeshContext.of(this).own(this, this.apiObject);
    for (const r of props.rules ?? []) this.addRule(r);
  }

  /** Adds a rule. */
  public addRule(rule: GrpcRouteRule): void {
    const i = this.rules.length;
    const bad = ruleProblem(this, 'GRPCRoute', i);
    (rule.filters ?? []).forEach((f, j) => {
      if (!GRPC_FILTERS.includes(f.type)) bad(`filters[${j}].type`, `is ${f.type}, which a GRPCRoute does not have`, f.type, 'use requestHeaderModifier, responseHeaderModifier or requestMirror');
    });
    (rule.matches ?? []).forEach((m, j) => {
      if (m.service === undefined && m.method === undefined && (m.headers ?? []).length === 0) bad(`matches[${j}]`, 'matches nothing specific: give a service, a method or headers', m, 'leave matches out to match every call');
      const ident = /^[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*$/;
      if ((m.type ?? HttpValueMatchType.EXACT) === HttpValueMatchType.EXACT) {
        if (m.service !== undefined && !ident.test(m.service)) bad(`matches[${j}].method.service`, 'must be a fully qualified gRPC service name', m.service, 'e.g. "shop.v1.Catalog"');
        if (m.method !== undefined && !/^[A-Za-z_][A-Za-z_0-9]*$/.test(m.method)) bad(`matches[${j}].method.method`, 'must be a gRPC method name', m.method, 'e.g. "ListItems"');
      }
    });
    this.rules.push({ matches: [...(rule.matches ?? [])], backends: [...(rule.backends ?? [])], filters: [...(rule.filters ?? [])] });
    MeshContext.of(this).invalidate();
  }
}

function renderRule(rule: GrpcRouteRule, ns: string): any {
  return {
    ...(rule.matches!.length ? { matches: rule.matches!.map((m) => ({
      ...(m.service !== undefined || m.method !== undefined ? { method: { type: m.type ?? HttpValueMatchType.EXACT, ...(m.service !== undefined ? { service: m.service } : {}), ...(m.method !== undefined ? { method: m.method } : {}) } } : {}),
      ...((m.headers ?? []).length ? { headers: m.headers!.map((h) => ({ name: h.name, type: h.type, value: h.value })) } : {}),
    })) } : {}),
    ...(rule.filters!.length ? { filters: rule.filters!.map((f) => f._toFilter(ns)) } : {}),
    ...(rule.backends!.length ? { backendRefs: rule.backends!.map((b) => b._toBackendRef(ns)) } : {}),
  };
}

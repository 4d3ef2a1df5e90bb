/**
 * The mesh as a picture: which plugin guards which Service, through which proxy. It draws what the model
 * already resolves (waypoint binding, plugin attachment with the reason a target leads nowhere, route parents
 * and backends); it decides nothing of its own.
 */
import { DeadRefReason, ProxyKind, attaches, proxyKindOf, resolveTargets } from '../model/attachment';
import { Entry, MeshModel } from '../model/mesh-model';
import { GATEWAY_GROUP, ISTIO_EXTENSIONS_GROUP, key } from '../model/manifest';
import { resolveWaypoint } from '../model/waypoint-binding';
import { isBasicAuthUrl } from '../rules/basic-auth';
import { routeAttachedTo } from '../model/route-attachment';

export type GraphNodeKind = 'plugin' | 'waypoint' | 'ingress' | 'service' | 'missing';

export interface GraphNode {
  /** A stable identifier made of letters, digits and `_`. */
  readonly id: string;
  readonly kind: GraphNodeKind;
  /** `''` for an object outside any namespace. */
  readonly namespace: string;
  readonly name: string;
  /** First line: `<Kind> <name>`; further lines: what matters (phase, module, class). */
  readonly lines: readonly string[];
}

/**
 * `guards`: a plugin runs on every chain of a proxy; `guards-service`: on the chain of one Service at a
 * waypoint; `serves`: a waypoint carries a Service's traffic; `routes`: an ingress route sends to a Service;
 * `dead`: a target reference that leads nowhere (the label says why).
 */
export type GraphEdgeKind = 'guards' | 'guards-service' | 'serves' | 'routes' | 'dead';

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: GraphEdgeKind;
  readonly label: string;
}

export interface MeshGraph {
  /** Namespaces with at least one node, sorted. */
  readonly namespaces: readonly string[];
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export interface MeshGraphOptions {
  /** Draw only what touches this namespace (its objects, and what attaches to them from elsewhere). @default - the whole tree */
  readonly namespace?: string;
}

const KIND_ORDER: Record<GraphNodeKind, number> = { ingress: 0, waypoint: 1, plugin: 2, service: 3, missing: 4 };

const DEAD_TEXT: Record<DeadRefReason, string> = {
  [DeadRefReason.CROSS_NAMESPACE]: 'names another namespace: never runs',
  [DeadRefReason.UNSUPPORTED_KIND]: 'a kind Istio does not attach to: never runs',
  [DeadRefReason.MISSING_GATEWAY]: 'no such Gateway: never runs',
  [DeadRefReason.FOREIGN_GATEWAY]: 'a Gateway Istio does not run: never runs',
  [DeadRefReason.MISSING_SERVICE]: 'no such Service: never runs',
  [DeadRefReason.NO_WAYPOINT]: 'no waypoint serves it: never runs',
  [DeadRefReason.HEADLESS]: 'a headless Service: its waypoint never sees its traffic: never runs',
  [DeadRefReason.EAST_WEST_SERVICE]: 'bound to an east-west gateway, whose chains have no Service: never runs',
  [DeadRefReason.WRONG_GATEWAY_CLASS]: 'not the istio-waypoint class: never runs',
  [DeadRefReason.NOT_ROOT_NAMESPACE]: 'GatewayClass target outside the root namespace: never runs',
};

function moduleName(url: unknown): string {
  if (typeof url !== 'string' || url === '') return 'module unknown';
  if (isBasicAuthUrl(url)) return 'basic_auth';
  const last = url.split('/').pop() ?? url;
  return last.replace(/[:@].*$/, '') || url;
}

function pluginLines(e: Entry): string[] {
  const spec = e.manifest.spec ?? {};
  const body = e.kind === 'TrafficExtension' ? (spec.lua !== undefined ? { url: 'lua' } : spec.wasm ?? {}) : spec;
  const phase = typeof spec.phase === 'string' ? spec.phase : 'UNSPECIFIED_PHASE';
  return [`${e.kind} ${e.name}`, `${phase}, ${body.url === 'lua' ? 'Lua' : moduleName(body.url)}`];
}

/** Builds the graph of a model (pure). */
export function meshGraph(model: MeshModel, options: MeshGraphOptions = {}): MeshGraph {
  const nodes = new Map<string, GraphNode & { sortKey: string }>();
  const ids = new Set<string>();
  const edges: GraphEdge[] = [];
  const idOf = new Map<string, string>();

  const node = (kind: GraphNodeKind, namespace: string, name: string, lines: string[]): string => {
    const k = `${kind}\u0000${namespace}\u0000${name}`;
    const known = idOf.get(k);
    if (known) return known;
    const prefix = { plugin: 'p', waypoint: 'wp', ingress: 'gw', service: 'svc', missing: 'x' }[kind];
    const base = `${prefix}_${namespace}_${name}`.replace(/[^A-Za-z0-9]/g, '_');
    let id = base;
    for (let i = 2; ids.has(id); i++) id = `${base}_${i}`;
    ids.add(id);
    idOf.set(k, id);
    nodes.set(id, { id, kind, namespace, name, lines, sortKey: `${namespace}\u0000${KIND_ORDER[kind]}\u0000${name}` });
    return id;
  };
  const serviceNode = (svc: Entry) => node('service', svc.namespace, svc.name, [`${svc.kind} ${svc.name}`]);
  const proxyNode = (gw: Entry) => (model.isWaypoint(gw)
    ? node('waypoint', gw.namespace, gw.name, [`waypoint ${gw.name}`])
    : node('ingress', gw.namespace, gw.name, [`ingress ${gw.name}`, `class ${model.gatewayClassName(gw)}`]));

  const gateways = [...model.gateways.values()].filter((gw) => proxyKindOf(model, gw) !== undefined);
  for (const gw of gateways) proxyNode(gw);
  for (const svc of [...model.services.values(), ...model.serviceEntries.values()]) {
    const id = serviceNode(svc);
    const b = resolveWaypoint(model, svc, 'service');
    if (b.waypoint) edges.push({ from: proxyNode(b.waypoint), to: id, kind: 'serves', label: '' });
  }
  for (const route of model.httpRoutes) {
    const spec = route.manifest.spec ?? {};
    const refs: any[] = Array.isArray(spec.parentRefs) ? spec.parentRefs : [];
    const backends: any[] = (Array.isArray(spec.rules) ? spec.rules : []).flatMap((r: any) => (Array.isArray(r?.backendRefs) ? r.backendRefs : []));
    for (const gw of gateways) {
      if (model.isWaypoint(gw)) continue;
      // the model's attachment: parentRefs, sectionName, port, hostnames, allowedRoutes, as istiod decides them
      if (!refs.length || !routeAttachedTo(model, route, gw)) continue;
      for (const b of backends) {
        if ((b?.kind ?? 'Service') !== 'Service' || (b?.group ?? '') !== '') continue;
        const svc = model.services.get(key(typeof b.namespace === 'string' ? b.namespace : route.namespace, String(b?.name ?? '')));
        const to = svc ? serviceNode(svc) : node('missing', b.namespace ?? route.namespace, String(b?.name ?? ''), [`Service ${b?.name} (not found)`]);
        edges.push({ from: proxyNode(gw), to, kind: 'routes', label: `(HTTPRoute ${route.name})` });
      }
    }
  }
  const plugins = model.entries.filter((e) => e.group === ISTIO_EXTENSIONS_GROUP && (e.kind === 'WasmPlugin' || e.kind === 'TrafficExtension'));
  for (const p of plugins) {
    const from = node('plugin', p.namespace, p.name, pluginLines(p));
    const resolutions = resolveTargets(model, p);
    if (resolutions.length === 0) {
      // no targets: a selector (or nothing) picks the ingress gateways it covers; waypoints ignore such plugins
      for (const gw of gateways) {
        if (!model.isWaypoint(gw) && attaches(model, p, { proxy: gw, kind: ProxyKind.INGRESS }).attached) {
          edges.push({ from, to: proxyNode(gw), kind: 'guards', label: 'selector' });
        }
      }
    }
    for (const r of resolutions) {
      if (r.dead) {
        const t = r.target;
        const to = t ? (t.group === GATEWAY_GROUP && t.kind === 'Gateway' ? node('missing', t.namespace, t.name, [`Gateway ${t.name}`, `class ${model.gatewayClassName(t)}`]) : serviceNode(t))
          : node('missing', r.ref.namespace ?? p.namespace, `${r.ref.kind}/${r.ref.name}`, [`${r.ref.kind} ${r.ref.name} (not found)`]);
        edges.push({ from, to, kind: 'dead', label: DEAD_TEXT[r.dead] });
        continue;
      }
      for (const place of r.places) {
        if (place.service) edges.push({ from, to: serviceNode(place.service), kind: 'guards-service', label: `(its chain at waypoint ${place.proxy.name})` });
        else edges.push({ from, to: proxyNode(place.proxy), kind: 'guards', label: '' });
      }
    }
  }

  let keep = [...nodes.values()];
  let kept = edges;
  if (options.namespace !== undefined) {
    const ns = options.namespace;
    kept = edges.filter((e) => nodes.get(e.from)!.namespace === ns || nodes.get(e.to)!.namespace === ns);
    const touched = new Set(kept.flatMap((e) => [e.from, e.to]));
    keep = keep.filter((n) => n.namespace === ns || touched.has(n.id));
  }
  keep.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  const order = new Map(keep.map((n, i) => [n.id, i]));
  const unique = new Map<string, GraphEdge>();
  for (const e of kept) unique.set(`${e.from}\u0000${e.to}\u0000${e.kind}\u0000${e.label}`, e);
  const sortedEdges = [...unique.values()].sort((a, b) => order.get(a.from)! - order.get(b.from)! || order.get(a.to)! - order.get(b.to)!
    || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return {
    namespaces: [...new Set(keep.map((n) => n.namespace))].sort(),
    nodes: keep.map(({ sortKey: _s, ...n }) => n),
    edges: sortedEdges,
  };
}

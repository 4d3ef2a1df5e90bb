/**
 * Which extensions (WasmPlugins and TrafficExtensions) run on one filter chain, and in which order, as istiod
 * builds it: candidates from the proxy's namespace, the root namespace and (waypoint-type proxies) the chain's
 * Service's namespace; the attachment predicate; `type`; `match`; then phase, priority, namespace, creation
 * time and name (istio@1.30.3:pilot/pkg/model/push_context.go `TrafficExtensionsByListenerInfo`,
 * `initTrafficExtensions`, `sortByPriority`; pilot/pkg/model/extensions.go `MatchListener`, `MatchType`;
 * pilot/pkg/model/config.go `sortConfigByCreationTime`). Each candidate is read once, as an {@link Extension}
 * (`extension.ts`), whichever kind it was written as.
 */
import { Entry, MeshModel } from './mesh-model';
import { AttachDecision, Place, ProxyKind, attaches, candidateNamespaces, isWaypointKind, matchPasses } from './attachment';
import { ChainType, Extension, ExtensionBodyKind, extensionOf } from './extension';

/** Phases in the order their filters are placed on a chain. */
export const PHASE_ORDER: readonly string[] = ['AUTHN', 'AUTHZ', 'STATS', 'UNSPECIFIED_PHASE'];

/** `math.MinInt32`: where istiod sorts an unset priority (not 0). */
export const UNSET_PRIORITY = -2147483648;

/** Listener classes (`istionetworking.ListenerClass`); each gives a workload mode for `match[].mode`. */
export enum ListenerClass {
  /** Gateways: CLIENT. */
  GATEWAY = 'gateway',
  /** Sidecar inbound, and every waypoint chain: SERVER. */
  SIDECAR_INBOUND = 'sidecar-inbound',
  /** Sidecar outbound: CLIENT. */
  SIDECAR_OUTBOUND = 'sidecar-outbound',
  /** No class (ECDS lookups): CLIENT, and with port 0 every match passes. */
  UNDEFINED = 'undefined',
}

/** What `match` is compared with (`model.ListenerInfo`). */
export interface ListenerInfo {
  readonly class: ListenerClass;
  readonly port: number;
}

/** `workloadModeForListenerClass`. */
export function workloadModeOf(cls: ListenerClass): 'CLIENT' | 'SERVER' {
  return cls === ListenerClass.SIDECAR_INBOUND ? 'SERVER' : 'CLIENT';
}

/**
 * `matchTrafficExtensionSelectors`: empty match passes; else some entry whose mode and ports fit (the rules'
 * predicate, {@link matchPasses}, with the listener class read as its workload mode).
 */
export function matchesListener(match: unknown, info: ListenerInfo): boolean {
  if (info.class === ListenerClass.UNDEFINED && info.port === 0) return true;
  return matchPasses(match, { mode: workloadModeOf(info.class), port: info.port });
}

/**
 * The listener a chain of a place is matched as: an ingress gateway's chains are class GATEWAY on the listener
 * port; a waypoint's (and an east-west gateway's) HTTP chains SIDECAR_INBOUND on port 0, its TCP chains on the
 * service port (0 on the direct-workload chain); a sidecar's inbound chains SIDECAR_INBOUND on the port.
 */
export function listenerOf(place: Place, type: ChainType, port: number): ListenerInfo {
  if (place.kind === ProxyKind.INGRESS) return { class: ListenerClass.GATEWAY, port };
  if (isWaypointKind(place.kind)) return { class: ListenerClass.SIDECAR_INBOUND, port: type === ChainType.HTTP ? 0 : port };
  return { class: ListenerClass.SIDECAR_INBOUND, port };
}

function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts extensions of one chain as istiod does: phase, then priority descending (unset is MinInt32, the sort
 * stable), then the namespace lookup order, then creation time, then name. Extensions without
 * creationTimestamp count as created in the same second (one sync), so their names decide.
 */
export function orderExtensions<T extends { readonly key: Extension }>(items: readonly T[], namespaceOrder: readonly string[]): T[] {
  const nsRank = (ns: string) => {
    const i = namespaceOrder.indexOf(ns);
    return i < 0 ? namespaceOrder.length : i;
  };
  const phaseRank = (p: string) => {
    const i = PHASE_ORDER.indexOf(p);
    return i < 0 ? PHASE_ORDER.length : i;
  };
  return [...items].sort((x, y) => phaseRank(x.key.phase) - phaseRank(y.key.phase)
    || (y.key.priority ?? UNSET_PRIORITY) - (x.key.priority ?? UNSET_PRIORITY)
    || nsRank(x.key.entry.namespace) - nsRank(y.key.entry.namespace)
    || (x.key.created ?? Number.MAX_SAFE_INTEGER) - (y.key.created ?? Number.MAX_SAFE_INTEGER)
    || byteCompare(x.key.sortName, y.key.sortName));
}

/** One candidate extension of a chain and what became of it. */
export interface ChainCandidate {
  /** The extension, read once. */
  readonly key: Extension;
  readonly attach: AttachDecision;
  /** Why it does not run here although attached (type or match), if so. */
  readonly filtered?: string;
}

/** The extensions of one chain: those that run, in run order, and the other candidates with the reason. */
export interface ChainSelection {
  readonly ordered: ChainCandidate[];
  readonly skipped: ChainCandidate[];
}

/** A filter chain of a place: its type and the listener `match` is compared with. */
export interface ChainSpec {
  readonly type: ChainType;
  readonly listener: ListenerInfo;
}

/**
 * The extensions that run on one chain of a place, in order, and why each other candidate does not. `exists`
 * drops candidates before anything else: objects the API server refuses or istiod discards never take part.
 */
export function extensionsOnChain(model: MeshModel, place: Place, chain: ChainSpec, exists: (e: Entry) => boolean = () => true): ChainSelection {
  const namespaces = candidateNamespaces(model, place);
  const ordered: ChainCandidate[] = [];
  const skipped: ChainCandidate[] = [];
  for (const ns of namespaces) {
    for (const entry of model.extensionsIn(ns)) {
      if (!exists(entry)) continue;
      const key = extensionOf(entry);
      const attach = attaches(model, entry, place);
      if (!attach.attached) {
        skipped.push({ key, attach });
      } else if (chain.type !== ChainType.ANY && key.chainType !== chain.type) {
        skipped.push({ key, attach, filtered: chain.type === ChainType.HTTP ?
          (isWaypointKind(place.kind) ? 'a NETWORK plugin runs on a waypoint\'s TCP chains only, never on HTTP traffic' : 'a NETWORK plugin runs among the network filters, not on this HTTP chain') :
          (key.bodyKind === ExtensionBodyKind.LUA ? 'Lua runs on HTTP chains only' : 'an HTTP plugin does not run on a TCP chain') });
      } else if (!matchesListener(key.match, chain.listener)) {
        skipped.push({ key, attach, filtered: `spec.match excludes this listener (mode ${workloadModeOf(chain.listener.class)}, port ${chain.listener.port})`
          + (chain.listener.port === 0 && isWaypointKind(place.kind) ? ': a waypoint matches HTTP chains with port 0' : '') });
      } else {
        ordered.push({ key, attach });
      }
    }
  }
  return { ordered: orderExtensions(ordered, namespaces), skipped };
}

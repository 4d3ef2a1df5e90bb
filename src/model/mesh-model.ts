/**
 * One indexed picture of a set of manifests, built once in O(objects): what rules and the simulator ask.
 */
import { GATEWAY_GROUP, ISTIO_EXTENSIONS_GROUP, ISTIO_NETWORKING_GROUP, Manifest, SourcedManifest, groupOf, key, labelsOf, nameOf } from './manifest';

/** An object of the model with its identity resolved. */
export interface Entry {
  readonly manifest: Manifest;
  readonly origin: string;
  readonly source?: unknown;
  readonly kind: string;
  readonly group: string;
  /** `''` for cluster-scoped kinds. */
  readonly namespace: string;
  readonly name: string;
}

export interface MeshModelOptions {
  /** Istio's `meshConfig.rootNamespace`. @default "istio-system" */
  readonly rootNamespace?: string;
  /** Namespace of namespaced objects that set none (kubectl's default). @default "default" */
  readonly defaultNamespace?: string;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'GatewayClass', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding',
  'PersistentVolume', 'StorageClass', 'IngressClass', 'PriorityClass', 'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration', 'APIService', 'Node']);

export const WAYPOINT_CLASS = 'istio-waypoint';
export const INGRESS_CLASS = 'istio';

export class MeshModel {
  public static build(objects: readonly SourcedManifest[], options: MeshModelOptions = {}): MeshModel {
    return new MeshModel(objects, options);
  }

  public readonly rootNamespace: string;
  public readonly entries: Entry[] = [];
  public readonly namespaces = new Map<string, Entry>();
  public readonly services = new Map<string, Entry>();
  public readonly serviceEntries = new Map<string, Entry>();
  public readonly gateways = new Map<string, Entry>();
  /** Gateways of class istio-waypoint, in input order. */
  private readonly waypointList: Entry[] = [];
  /** Lazily built name -> entries indexes, so "did you mean" lookups stay O(1) at scale. */
  private readonly nameIndexes = new Map<Map<string, Entry>, Map<string, Entry[]>>();
  public readonly gatewayClasses = new Map<string, Entry>();
  public readonly secrets = new Map<string, Entry>();
  public readonly httpRoutes: Entry[] = [];
  public readonly wasmPlugins: Entry[] = [];
  /** WasmPlugins per namespace, in input order. */
  public readonly pluginsByNamespace = new Map<string, Entry[]>();

  private constructor(objects: readonly SourcedManifest[], options: MeshModelOptions) {
    this.rootNamespace = options.rootNamespace ?? 'istio-system';
    const defaultNs = options.defaultNamespace ?? 'default';
    for (const o of objects) {
      const m = o.manifest;
      if (!m || typeof m !== 'object' || typeof m.kind !== 'string') continue;
      const kind = m.kind;
      const group = groupOf(m);
      const ns = CLUSTER_SCOPED.has(kind) ? '' : (typeof m.metadata?.namespace === 'string' && m.metadata.namespace !== '' ? m.metadata.namespace : defaultNs);
      const e: Entry = { manifest: m, origin: o.origin, source: o.source, kind, group, namespace: ns, name: nameOf(m) };
      this.entries.push(e);
      const k = key(ns, e.name);
      if (group === 'core') {
        if (kind === 'Namespace') this.namespaces.set(e.name, e);
        else if (kind === 'Service') this.services.set(k, e);
        else if (kind === 'Secret') this.secrets.set(k, e);
      } else if (group === GATEWAY_GROUP) {
        if (kind === 'Gateway') {
          this.gateways.set(k, e);
          if (this.isWaypoint(e)) this.waypointList.push(e);
        }
        else if (kind === 'GatewayClass') this.gatewayClasses.set(e.name, e);
        else if (kind === 'HTTPRoute') this.httpRoutes.push(e);
      } else if (group === ISTIO_NETWORKING_GROUP && kind === 'ServiceEntry') {
        this.serviceEntries.set(k, e);
      } else if (group === ISTIO_EXTENSIONS_GROUP && kind === 'WasmPlugin') {
        this.wasmPlugins.push(e);
        const list = this.pluginsByNamespace.get(ns);
        if (list) list.push(e); else this.pluginsByNamespace.set(ns, [e]);
      }
    }
  }

  /** Labels of a namespace; `undefined` when the Namespace object is not among the manifests. */
  public namespaceLabels(ns: string): Record<string, string> | undefined {
    const e = this.namespaces.get(ns);
    return e ? labelsOf(e.manifest) : undefined;
  }

  public gatewayClassName(gw: Entry): string {
    const c = gw.manifest.spec?.gatewayClassName;
    return typeof c === 'string' ? c : '';
  }

  public isWaypoint(gw: Entry): boolean {
    return this.gatewayClassName(gw) === WAYPOINT_CLASS;
  }

  /** Names of the objects of `index` in namespace `ns` (for "did you mean" fixes: not on any hot path). */
  public namesIn(index: Map<string, Entry>, ns: string): string[] {
    const out: string[] = [];
    for (const e of index.values()) if (e.namespace === ns) out.push(e.name);
    return out;
  }

  /** Objects of `index` named `name` in any namespace, sorted by namespace (for "did you mean" fixes). */
  public namesakes(index: Map<string, Entry>, name: string): Entry[] {
    let byName = this.nameIndexes.get(index);
    if (!byName) {
      byName = new Map();
      for (const e of index.values()) {
        const list = byName.get(e.name);
        if (list) list.push(e); else byName.set(e.name, [e]);
      }
      this.nameIndexes.set(index, byName);
    }
    return [...(byName.get(name) ?? [])].sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
  }

  /** Every waypoint Gateway (class istio-waypoint), in input order. */
  public waypoints(): Entry[] {
    return [...this.waypointList];
  }
}

/**
 * One indexed picture of a set of manifests, built once in O(objects): what rules and the simulator ask.
 */
import { GATEWAY_GROUP, ISTIO_EXTENSIONS_GROUP, ISTIO_NETWORKING_GROUP, Manifest, SourcedManifest, groupOf, key, labelsOf, nameOf } from './manifest';
import { GatewayRole, builtinGatewayClasses, isWaypointType, roleOfController } from './gateway-class';
import { merged } from './merged';

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
  /**
   * istiod's AMBIENT_ENABLE_MULTI_NETWORK: whether class `istio-east-west` and controller
   * `istio.io/eastwest-controller` exist. Istio's own default is false; we assume true, because a Gateway of
   * that class is only ever written for a multi-network mesh (docs/decisions.md).
   * @default true
   */
  readonly ambientMultiNetwork?: boolean;
  /**
   * istiod's ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY: whether Gateway API ingress gateways honour
   * selector-based (and target-less) plugins.
   * @default true
   */
  readonly selectorBasedGatewayPolicy?: boolean;
}

/** The label the API server puts on every Namespace (Kubernetes 1.22+), with the namespace name as value. */
export const LABEL_NAMESPACE_NAME = 'kubernetes.io/metadata.name';

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
  /** See {@link MeshModelOptions.ambientMultiNetwork}. */
  public readonly ambientMultiNetwork: boolean;
  /** See {@link MeshModelOptions.selectorBasedGatewayPolicy}. */
  public readonly selectorBasedGatewayPolicy: boolean;
  public readonly entries: Entry[] = [];
  public readonly namespaces = new Map<string, Entry>();
  public readonly services = new Map<string, Entry>();
  public readonly serviceEntries = new Map<string, Entry>();
  public readonly gateways = new Map<string, Entry>();
  /** Waypoint-type Gateways (waypoints and east-west gateways), in input order; built on first use. */
  private waypointList?: Entry[];
  private readonly roles = new Map<Entry, GatewayRole>();
  private readonly builtinClasses: ReadonlyMap<string, string>;
  /** WasmPlugins and TrafficExtensions per namespace, in input order. */
  private readonly extensionsByNs = new Map<string, Entry[]>();
  /** Lazily built name -> entries indexes, so "did you mean" lookups stay O(1) at scale. */
  private readonly nameIndexes = new Map<Map<string, Entry>, Map<string, Entry[]>>();
  /** Labels per namespace as {@link namespaceLabels} gives them, built on first use. */
  private readonly nsLabels = new Map<string, Readonly<Record<string, string>> | undefined>();
  public readonly gatewayClasses = new Map<string, Entry>();
  public readonly secrets = new Map<string, Entry>();
  public readonly httpRoutes: Entry[] = [];
  public readonly wasmPlugins: Entry[] = [];
  /** WasmPlugins per namespace, in input order. */
  public readonly pluginsByNamespace = new Map<string, Entry[]>();
  public readonly trafficExtensions: Entry[] = [];
  /** WasmPlugins and TrafficExtensions, in input order: istiod handles both as TrafficExtensions (see `extension.ts`). */
  public readonly extensions: Entry[] = [];

  private constructor(objects: readonly SourcedManifest[], options: MeshModelOptions) {
    this.rootNamespace = options.rootNamespace ?? 'istio-system';
    this.ambientMultiNetwork = options.ambientMultiNetwork ?? true;
    this.selectorBasedGatewayPolicy = options.selectorBasedGatewayPolicy ?? true;
    this.builtinClasses = builtinGatewayClasses(this.ambientMultiNetwork);
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
        if (kind === 'Gateway') this.gateways.set(k, e);
        else if (kind === 'GatewayClass') this.gatewayClasses.set(e.name, e);
        else if (kind === 'HTTPRoute') this.httpRoutes.push(e);
      } else if (group === ISTIO_NETWORKING_GROUP && kind === 'ServiceEntry') {
        this.serviceEntries.set(k, e);
      } else if (group === ISTIO_EXTENSIONS_GROUP && (kind === 'WasmPlugin' || kind === 'TrafficExtension')) {
        if (kind === 'WasmPlugin') {
          this.wasmPlugins.push(e);
          const list = this.pluginsByNamespace.get(ns);
          if (list) list.push(e); else this.pluginsByNamespace.set(ns, [e]);
        } else {
          this.trafficExtensions.push(e);
        }
        this.extensions.push(e);
        const all = this.extensionsByNs.get(ns);
        if (all) all.push(e); else this.extensionsByNs.set(ns, [e]);
      }
    }
  }

  /**
   * Labels of a namespace as the cluster has them (the API server adds `kubernetes.io/metadata.name`);
   * `undefined` when the Namespace object is not among the manifests.
   */
  public namespaceLabels(ns: string): Readonly<Record<string, string>> | undefined {
    // asked per object and per selector: built once per namespace (frozen, as every caller shares it)
    if (this.nsLabels.has(ns)) return this.nsLabels.get(ns);
    const e = this.namespaces.get(ns);
    const labels = e ? Object.freeze(merged(labelsOf(e.manifest), { [LABEL_NAMESPACE_NAME]: e.name })) : undefined;
    this.nsLabels.set(ns, labels);
    return labels;
  }

  /** WasmPlugins and TrafficExtensions of a namespace, in input order (istiod's candidates). */
  public extensionsIn(ns: string): readonly Entry[] {
    return this.extensionsByNs.get(ns) ?? [];
  }

  public gatewayClassName(gw: Entry): string {
    const c = gw.manifest.spec?.gatewayClassName;
    return typeof c === 'string' ? c : '';
  }

  /**
   * The controller istiod reads for a Gateway: its GatewayClass object's `spec.controllerName`, else the
   * built-in class of that name, else none.
   */
  public gatewayController(gw: Entry): string | undefined {
    const name = this.gatewayClassName(gw);
    const cls = this.gatewayClasses.get(name);
    if (cls) {
      const c = cls.manifest.spec?.controllerName;
      return typeof c === 'string' ? c : undefined;
    }
    return this.builtinClasses.get(name);
  }

  /** What istiod makes of a Gateway (see {@link GatewayRole}). */
  public gatewayRole(gw: Entry): GatewayRole {
    let r = this.roles.get(gw);
    if (r === undefined) {
      r = roleOfController(this.gatewayController(gw), this.ambientMultiNetwork);
      this.roles.set(gw, r);
    }
    return r;
  }

  /** Whether the Gateway is a waypoint (controller `istio.io/mesh-controller`). */
  public isWaypoint(gw: Entry): boolean {
    return this.gatewayRole(gw) === GatewayRole.WAYPOINT;
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

  /** Every waypoint-type Gateway (waypoints and east-west gateways), in input order. */
  public waypoints(): Entry[] {
    if (!this.waypointList) this.waypointList = [...this.gateways.values()].filter((g) => isWaypointType(this.gatewayRole(g)));
    return [...this.waypointList];
  }
}

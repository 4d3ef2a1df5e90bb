import { ApiObject } from 'cdk8s';

/** Argo CD annotation keys the library writes. */
export class ArgoCdAnnotations {
  /** Order of application inside one sync: lower waves first (integer as a string). */
  public static readonly SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
  /** Comma-separated per-resource sync options. */
  public static readonly SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

  private constructor() {}
}

/**
 * The sync waves the library assigns, by kind: a Namespace before what runs in it, workloads before the
 * Gateways that route to them, Gateways and waypoints before the routes and policies that attach to them.
 * Argo CD waits for a wave to be healthy before the next one, and a waypoint Gateway is healthy only once
 * it is programmed, so a WasmPlugin never lands before the proxy it configures.
 */
export class SyncWaves {
  /** Namespaces. */
  public static readonly NAMESPACE = -2;
  /** Everything not listed below: ServiceAccounts, Services, Deployments, Secrets, ServiceEntries. */
  public static readonly WORKLOADS = -1;
  /** Gateways: ingress gateways and waypoints. */
  public static readonly GATEWAYS = 0;
  /** Routes attached to Gateways (HTTPRoute, GRPCRoute, TCPRoute, TLSRoute). */
  public static readonly ROUTES = 1;
  /** Policies attached to Gateways or Services: WasmPlugin, TrafficExtension, Istio security and telemetry. */
  public static readonly POLICIES = 2;

  /** The wave of an object of this API group (`core` for v1) and kind. */
  public static forKind(group: string, kind: string): number {
    if (group === 'core' && kind === 'Namespace') return SyncWaves.NAMESPACE;
    if (group === 'gateway.networking.k8s.io') {
      if (kind === 'Gateway') return SyncWaves.GATEWAYS;
      if (kind.endsWith('Route')) return SyncWaves.ROUTES;
    }
    if (group === 'extensions.istio.io' || group === 'security.istio.io' || group === 'telemetry.istio.io') return SyncWaves.POLICIES;
    return SyncWaves.WORKLOADS;
  }

  private constructor() {}
}

/** How Argo CD treats a Namespace that disappears from Git. */
export enum NamespacePruning {
  /** Never prune it (`Prune=false`): removing it from Git leaves the namespace and its contents. */
  DISABLED = 'Prune=false',
  /** Prune only after a manual confirmation in Argo CD (`Prune=confirm`). */
  CONFIRM = 'Prune=confirm',
}

/** API groups served by Kubernetes itself; every other group comes from a CRD that may not exist at dry-run. */
const BUILT_IN_GROUPS = new Set([
  'core', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'apiextensions.k8s.io', 'admissionregistration.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io',
  'node.k8s.io', 'certificates.k8s.io', 'events.k8s.io', 'flowcontrol.apiserver.k8s.io', 'apiregistration.k8s.io',
  'authentication.k8s.io', 'authorization.k8s.io', 'resource.k8s.io', 'storagemigration.k8s.io', 'internal.apiserver.k8s.io',
]);

/** Whether objects of this API group come from a CustomResourceDefinition. */
export function isCrdGroup(group: string): boolean {
  return !BUILT_IN_GROUPS.has(group);
}

/** Options of {@link annotateForArgoCd}. */
export interface SyncAnnotationOptions {
  /** @default NamespacePruning.DISABLED */
  readonly namespacePruning?: NamespacePruning;
}

/** The annotations already on an object, read without rendering it. */
function existingAnnotations(obj: ApiObject): Record<string, unknown> {
  // cdk8s keeps them in a private field; the public toJson() of the metadata is the slower fallback
  const raw = (obj.metadata as unknown as { annotations?: unknown }).annotations;
  if (raw && typeof raw === 'object') return raw as Record<string, unknown>;
  return obj.metadata.toJson().annotations ?? {};
}

/**
 * Adds the Argo CD sync wave and sync options an object needs, keeping any the user set: an explicit
 * `sync-wave` is left alone, and existing `sync-options` are kept with ours appended.
 */
export function annotateForArgoCd(obj: ApiObject, options: SyncAnnotationOptions = {}): void {
  const existing = existingAnnotations(obj);
  if (existing[ArgoCdAnnotations.SYNC_WAVE] === undefined) {
    obj.metadata.addAnnotation(ArgoCdAnnotations.SYNC_WAVE, String(SyncWaves.forKind(obj.apiGroup, obj.kind)));
  }
  const wanted: string[] = [];
  if (isCrdGroup(obj.apiGroup)) wanted.push('SkipDryRunOnMissingResource=true');
  if (obj.apiGroup === 'core' && obj.kind === 'Namespace') wanted.push(options.namespacePruning ?? NamespacePruning.DISABLED);
  if (wanted.length === 0) return;
  const current = typeof existing[ArgoCdAnnotations.SYNC_OPTIONS] === 'string' ? String(existing[ArgoCdAnnotations.SYNC_OPTIONS]) : '';
  const have = current.split(',').map((s) => s.trim()).filter((s) => s !== '');
  // an explicit Prune= choice of the user wins over ours
  const merged = [...have, ...wanted.filter((w) => !have.includes(w) && !(w.startsWith('Prune=') && have.some((h) => h.startsWith('Prune='))))];
  if (merged.length !== have.length) obj.metadata.addAnnotation(ArgoCdAnnotations.SYNC_OPTIONS, merged.join(','));
}

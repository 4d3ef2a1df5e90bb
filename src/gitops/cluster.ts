import { Construct, IConstruct } from 'constructs';
import { markMeshScope } from '../private/mesh-context';

/** Props of {@link Cluster}: where Argo CD deploys the cluster's applications. Set `server` or `argoCdName`. */
export interface ClusterProps {
  /**
   * URL of the cluster's API server, as registered in Argo CD (the Applications' `destination.server`).
   *
   * @default - none; then `argoCdName` must be set
   * @example "https://kubernetes.default.svc"
   */
  readonly server?: string;
  /**
   * Name of the cluster in Argo CD (the Applications' `destination.name`), instead of its server URL.
   *
   * @default - none; then `server` must be set
   * @example "prod-eu-west-1"
   */
  readonly argoCdName?: string;
  /**
   * Labels of the cluster: written on its ApplicationSet (or Applications) and on every Application generated
   * for it, so Argo CD can select them (`argocd app list -l env=prod`); code can read them to decide what
   * the cluster gets.
   *
   * @default - no labels
   */
  readonly labels?: { [key: string]: string };
}

/** One cluster of a fleet, as {@link GitOpsAppProps.clusters} and `GitOpsApp.addCluster()` take it. */
export interface ClusterOptions extends ClusterProps {
  /**
   * Name of the cluster: its folder (`clusters/<name>/`), the prefix of its Application names, its construct id.
   * A lowercase RFC 1123 label.
   *
   * @example "prod"
   */
  readonly name: string;
}

const CLUSTER_SYMBOL = Symbol.for('cdk8s-istio-ambient.Cluster');
// GitOpsApp marks itself with this symbol; read here without importing it (gitops-app imports this file)
const GITOPS_APP_SYMBOL = Symbol.for('cdk8s-istio-ambient.GitOpsApp');
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * One cluster of a fleet: a scope of its own inside a `GitOpsApp`. Charts created in it (an
 * `AmbientNamespace`, a `SeedScenario`, any cdk8s `Chart`) are synthesized to `clusters/<name>/<folder>/` and
 * deployed by Argo CD to this cluster only. Its mesh is its own: the rules check each cluster's objects
 * without the other clusters', so a plugin in one cluster never finds its target in another.
 *
 * Code chooses per cluster what differs by building different things into each cluster:
 *
 * @example
 * for (const cluster of app.clusters) {
 *   const shop = new SeedScenario(cluster, 'default');
 *   if (cluster.labels.env === 'staging') shop.addWaypoint('Extra', { name: 'extra' });
 * }
 */
export class Cluster extends Construct {
  /** Whether `x` is a Cluster (works across copies of the library). */
  public static isCluster(x: any): x is Cluster {
    return x !== null && typeof x === 'object' && CLUSTER_SYMBOL in x;
  }

  /** The Cluster that holds `c` (or is `c`), or undefined when `c` is in no cluster. */
  public static of(c: IConstruct): Cluster | undefined {
    for (let s: IConstruct | undefined = c; s; s = s.node.scope) if (Cluster.isCluster(s)) return s;
    return undefined;
  }

  /** Name of the cluster (its construct id and folder). */
  public readonly name: string;
  /** API server URL Argo CD deploys to, when the cluster is named by URL. */
  public readonly server?: string;
  /** Argo CD cluster name Argo CD deploys to, when the cluster is named so. */
  public readonly argoCdName?: string;
  private readonly _labels: { [key: string]: string };

  /** Labels of the cluster (a copy). */
  public get labels(): { [key: string]: string } {
    return { ...this._labels };
  }

  /**
   * @param scope the `GitOpsApp`; a cluster is never nested in another construct
   * @param id the cluster's name (see {@link ClusterOptions.name})
   */
  constructor(scope: Construct, id: string, props: ClusterProps) {
    const where = `GitOpsApp: clusters[${JSON.stringify(id)}]`;
    if (!(GITOPS_APP_SYMBOL in scope) || scope.node.scope !== undefined) {
      throw new Error(`${where}: a Cluster must be created directly in a GitOpsApp (got a scope at ${JSON.stringify(scope.node.path)}); use app.addCluster() or GitOpsAppProps.clusters`);
    }
    if (typeof id !== 'string' || id.length > 63 || !DNS_LABEL.test(id)) {
      throw new Error(`${where}: name: must be a lowercase RFC 1123 label of at most 63 characters (got ${JSON.stringify(id)}); pass a name such as "prod"`);
    }
    const p = props ?? {};
    const server = p.server === undefined ? undefined : String(p.server).trim();
    const argoCdName = p.argoCdName === undefined ? undefined : String(p.argoCdName).trim();
    if ((server === undefined) === (argoCdName === undefined)) {
      throw new Error(`${where}: server/argoCdName: set exactly one (got ${server === undefined ? 'neither' : 'both'}); pass server (the API server URL, "https://kubernetes.default.svc" for the cluster Argo CD runs in) or argoCdName (its name in Argo CD)`);
    }
    if (server !== undefined && !/^https?:\/\/[^\s/]+/.test(server)) {
      throw new Error(`${where}: server: must be an http(s) URL (got ${JSON.stringify(p.server)}); pass the API server URL as registered in Argo CD, e.g. "https://10.0.0.1:6443"`);
    }
    if (argoCdName !== undefined && (argoCdName === '' || argoCdName.length > 253)) {
      throw new Error(`${where}: argoCdName: must be a cluster name of 1 to 253 characters (got ${JSON.stringify(p.argoCdName)}); pass the name shown by "argocd cluster list"`);
    }
    const labels: { [key: string]: string } = {};
    for (const [key, value] of Object.entries(p.labels ?? {})) {
      const problem = labelProblem(key, value);
      if (problem) throw new Error(`${where}: labels[${JSON.stringify(key)}]: ${problem} (got ${JSON.stringify(problem.startsWith('the value') ? value : key)}); use a Kubernetes label, e.g. env: prod`);
      labels[key] = value;
    }
    super(scope, id);
    Object.defineProperty(this, CLUSTER_SYMBOL, { value: true });
    // the rules build one model per cluster: nothing under this scope is checked together with another cluster
    markMeshScope(this);
    this.name = id;
    this.server = server;
    this.argoCdName = argoCdName;
    this._labels = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/** Why `key: value` is not a Kubernetes label, or undefined when it is one. */
function labelProblem(key: string, value: unknown): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return 'the key prefix must be a lowercase DNS subdomain';
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) return 'the key name must be 1 to 63 letters, digits, "-", "_" or "." (starting and ending alphanumeric)';
  if (typeof value !== 'string' || value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
    return 'the value must be empty or up to 63 letters, digits, "-", "_" or "." (starting and ending alphanumeric)';
  }
  return undefined;
}

import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoCdAnnotations } from './sync-policy';
import { maskUrl } from '../rules/display';

/** How the application folders become Argo CD Applications. */
export enum ArgoCdAppMode {
  /** One ApplicationSet with a Git directory generator over the application folders. */
  APPLICATION_SET = 'ApplicationSet',
  /** One Application per application folder, for app-of-apps setups (ordered by sync wave). */
  APPLICATIONS = 'Application',
}

/** Where Argo CD finds the synthesized tree and where it deploys it. */
export interface ArgoCdProps {
  /**
   * The Git repository the synthesized output is committed to.
   *
   * @example "https://github.com/acme/mesh-gitops.git"
   */
  readonly repoUrl: string;
  /**
   * Branch, tag or commit Argo CD tracks.
   *
   * @default "HEAD"
   */
  readonly targetRevision?: string;
  /**
   * Path of the output folder inside the repository.
   *
   * @default "dist"
   */
  readonly path?: string;
  /**
   * Argo CD project of the Applications.
   *
   * @default "default"
   */
  readonly project?: string;
  /**
   * Also synthesize the AppProject named by `project`, allowing exactly this repository, the namespaces the
   * output lands in, and Namespace as the only cluster-scoped kind.
   *
   * @default false
   */
  readonly createProject?: boolean;
  /**
   * Cluster the Applications deploy to, in the single-cluster layout (in a fleet each cluster names its own, and
   * setting this fails).
   *
   * @default "https://kubernetes.default.svc" (the cluster Argo CD runs in)
   */
  readonly destinationServer?: string;
  /**
   * Namespace of the Argo CD installation, where Applications and AppProjects live.
   *
   * @default "argocd"
   */
  readonly argoCdNamespace?: string;
  /**
   * ApplicationSet or one Application per folder.
   *
   * @default ArgoCdAppMode.APPLICATION_SET
   */
  readonly mode?: ArgoCdAppMode;
  /**
   * Name of the ApplicationSet (APPLICATION_SET mode).
   *
   * @default "cdk8s-istio-ambient"
   */
  readonly name?: string;
  /**
   * Folder of the Argo CD objects inside the output folder; the ApplicationSet generator excludes it.
   *
   * @default "argocd"
   */
  readonly folder?: string;
  /**
   * Sync automatically, pruning what left Git and reverting drift (`automated: {prune, selfHeal}`).
   *
   * @default true
   */
  readonly autoSync?: boolean;
  /**
   * Apply with server-side apply (`ServerSideApply=true`), e.g. to take over a waypoint created by istioctl.
   *
   * @default false
   */
  readonly serverSideApply?: boolean;
  /**
   * Delete an Application's resources when the Application is deleted (the
   * `resources-finalizer.argocd.argoproj.io` finalizer). Namespaces stay protected by their prune option.
   *
   * @default false
   */
  readonly cascadeDelete?: boolean;
  /**
   * Config management plugin used by Applications whose manifests hold argocd-vault-plugin placeholders
   * (`<path:...#key>`, see `BasicAuthCredential.vault()`).
   *
   * @default "argocd-vault-plugin-kustomize"
   */
  readonly vaultPluginName?: string;
}

/** One application folder, as the Argo CD objects see it. */
export interface AppFolder {
  /** Name of the folder (the Application's name, prefixed by the cluster's in a fleet). */
  readonly folder: string;
  /** Namespace the Application deploys to (objects without a namespace land there). */
  readonly namespace: string;
  /** Whether its manifests hold vault placeholders. */
  readonly usesVault: boolean;
  /** Sync wave of its Application in APPLICATIONS mode: providers of shared waypoints go first. */
  readonly wave: number;
}

/** Where one set of application folders deploys: the whole tree (one cluster), or one cluster of a fleet. */
export interface ArgoCdTarget {
  /** The fleet cluster's name (its folder under `clusters/`); undefined for the single-cluster layout. */
  readonly cluster?: string;
  /** `destination.server` (set exactly one of server and clusterName). */
  readonly server?: string;
  /** `destination.name`: the cluster's name in Argo CD. */
  readonly clusterName?: string;
  /** Labels written on the cluster's Argo CD objects and on its Applications. */
  readonly labels: { readonly [key: string]: string };
  /** The application folders. */
  readonly folders: readonly AppFolder[];
  /** Namespaces the folders deploy into, sorted: the AppProject's destinations for this cluster. */
  readonly namespaces: readonly string[];
}

/** Folder of a fleet's cluster trees inside the output folder. */
export const CLUSTERS_FOLDER = 'clusters';

const ARGO_API = 'argoproj.io/v1alpha1';

/** The settings with their defaults filled in. */
export interface ResolvedArgoCd {
  readonly repoUrl: string;
  readonly targetRevision: string;
  readonly path: string;
  readonly project: string;
  readonly createProject: boolean;
  readonly destinationServer: string;
  readonly argoCdNamespace: string;
  readonly mode: ArgoCdAppMode;
  readonly name: string;
  readonly folder: string;
  readonly autoSync: boolean;
  readonly serverSideApply: boolean;
  readonly cascadeDelete: boolean;
  readonly vaultPluginName: string;
}

/** Fills defaults and refuses settings Argo CD would reject, naming the field and the fix. */
export function resolveArgoCd(props: ArgoCdProps): ResolvedArgoCd {
  const fail = (field: string, what: string, value: unknown, fix: string): never => {
    throw new Error(`GitOpsApp: argoCd.${field}: ${what} (got ${JSON.stringify(value)}); ${fix}`);
  };
  if (typeof props.repoUrl !== 'string' || props.repoUrl.trim() === '') {
    fail('repoUrl', 'is required', props.repoUrl, 'pass the URL of the Git repository the output is committed to');
  }
  // a credential in the URL would be written into the Application, that is into Git; ssh://git@ is only a user name
  const userinfo = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)@/.exec(props.repoUrl.trim());
  if (userinfo && (/:./.test(userinfo[2]) || /^https?$/i.test(userinfo[1]))) {
    fail('repoUrl', 'holds a credential, which would be written into the Application and so into Git', maskUrl(props.repoUrl.trim()),
      'drop it from the URL and give Argo CD the credential as a repository Secret (label argocd.argoproj.io/secret-type: repository)');
  }
  const path = (props.path ?? 'dist').replace(/^\.\//, '').replace(/\/+$/, '');
  if (path === '' || path.startsWith('/') || path.split('/').includes('..')) {
    fail('path', 'must be a relative path inside the repository', props.path, 'pass the folder the output is committed to, e.g. "dist"');
  }
  const folder = props.folder ?? 'argocd';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(folder)) {
    fail('folder', 'must be a lowercase DNS label', folder, 'pass a name such as "argocd"');
  }
  const name = props.name ?? 'cdk8s-istio-ambient';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
    fail('name', 'must be a lowercase RFC 1123 subdomain', name, 'pass a name such as "mesh-apps"');
  }
  return {
    repoUrl: props.repoUrl.trim(),
    targetRevision: props.targetRevision ?? 'HEAD',
    path,
    project: props.project ?? 'default',
    createProject: props.createProject ?? false,
    destinationServer: props.destinationServer ?? 'https://kubernetes.default.svc',
    argoCdNamespace: props.argoCdNamespace ?? 'argocd',
    mode: props.mode ?? ArgoCdAppMode.APPLICATION_SET,
    name,
    folder,
    autoSync: props.autoSync ?? true,
    serverSideApply: props.serverSideApply ?? false,
    cascadeDelete: props.cascadeDelete ?? false,
    vaultPluginName: props.vaultPluginName ?? 'argocd-vault-plugin-kustomize',
  };
}

function syncPolicy(cfg: ResolvedArgoCd): Record<string, unknown> {
  return {
    ...(cfg.autoSync ? { automated: { prune: true, selfHeal: true } } : {}),
    ...(cfg.serverSideApply ? { syncOptions: ['ServerSideApply=true'] } : {}),
  };
}

/** The `destination` fields that name a target's cluster. */
function destinationOf(target: ArgoCdTarget): Record<string, string> {
  return target.clusterName !== undefined ? { name: target.clusterName } : { server: target.server! };
}

/** Folder of a target's application folders, inside the repository. */
function targetPath(cfg: ResolvedArgoCd, target: ArgoCdTarget): string {
  return target.cluster === undefined ? cfg.path : `${cfg.path}/${CLUSTERS_FOLDER}/${target.cluster}`;
}

/** Name of the Application of `folder` ('{{...}}' templates included): cluster-prefixed in a fleet, so unique across it. */
export function applicationName(target: { readonly cluster?: string }, folder: string): string {
  return target.cluster === undefined ? folder : `${target.cluster}-${folder}`;
}

function appSpec(cfg: ResolvedArgoCd, target: ArgoCdTarget, path: string, namespace: string, vault: boolean): Record<string, unknown> {
  const policy = syncPolicy(cfg);
  return {
    project: cfg.project,
    source: {
      repoURL: cfg.repoUrl,
      targetRevision: cfg.targetRevision,
      path,
      ...(vault ? { plugin: { name: cfg.vaultPluginName } } : {}),
    },
    destination: { ...destinationOf(target), namespace },
    ...(Object.keys(policy).length > 0 ? { syncPolicy: policy } : {}),
  };
}

/**
 * The ApplicationSet's `templatePatch` that sends exactly `folders` through the vault plugin. Argo CD renders it
 * with each folder's generator parameters and applies it to that Application as a strategic merge patch
 * (applicationset/controllers/template/template.go `renderTemplatePatch`, patch.go `applyTemplatePatch`, v3.5.1);
 * other folders get the empty patch `{}`. Go templates' `eq` is true when its first argument equals any other.
 */
export function vaultTemplatePatch(cfg: ResolvedArgoCd, folders: readonly string[]): string {
  return [
    `{{- if eq .path.basename ${folders.map((f) => JSON.stringify(f)).join(' ')} }}`,
    'spec:',
    '  source:',
    '    plugin:',
    `      name: ${JSON.stringify(cfg.vaultPluginName)}`,
    '{{- else }}',
    '{}',
    '{{- end }}',
    '',
  ].join('\n');
}

/**
 * Defines the Argo CD objects for `targets` in `chart`: the AppProject (if asked), then per target the
 * ApplicationSet or one Application per folder. One target (no cluster) is the single-cluster layout; a fleet
 * has one target per cluster, each with an ApplicationSet of its own (why: docs/fleet.md).
 */
export function defineArgoCdObjects(chart: Chart, cfg: ResolvedArgoCd, targets: readonly ArgoCdTarget[]): void {
  const ns = cfg.argoCdNamespace;
  const finalizers = cfg.cascadeDelete ? { finalizers: ['resources-finalizer.argocd.argoproj.io'] } : {};
  if (cfg.createProject) {
    new ApiObject(chart, 'AppProject', {
      apiVersion: ARGO_API,
      kind: 'AppProject',
      metadata: { name: cfg.project, namespace: ns, annotations: { [ArgoCdAnnotations.SYNC_WAVE]: '-1' } },
      spec: {
        description: 'Applications synthesized by cdk8s-istio-ambient',
        sourceRepos: [cfg.repoUrl],
        destinations: targets.flatMap((t) => t.namespaces.map((n) => ({ ...destinationOf(t), namespace: n }))),
        clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
      },
    });
  }
  for (const target of targets) {
    const fleet = target.cluster !== undefined;
    const labels = Object.keys(target.labels).length > 0 ? { labels: { ...target.labels } } : {};
    const root = targetPath(cfg, target);
    if (cfg.mode === ArgoCdAppMode.APPLICATION_SET) {
      if (target.folders.length === 0) continue; // a cluster with nothing in it: no ApplicationSet to generate nothing
      const vaultFolders = target.folders.filter((f) => f.usesVault).map((f) => f.folder).sort();
      new ApiObject(chart, fleet ? `ApplicationSet-${target.cluster}` : 'ApplicationSet', {
        apiVersion: ARGO_API,
        kind: 'ApplicationSet',
        metadata: { name: fleet ? `${cfg.name}-${target.cluster}` : cfg.name, namespace: ns, ...labels },
        spec: {
          goTemplate: true,
          goTemplateOptions: ['missingkey=error'],
          generators: [{
            git: {
              repoURL: cfg.repoUrl,
              revision: cfg.targetRevision,
              // a fleet's cluster folder holds application folders only; the single-cluster root also holds argocd/
              directories: fleet ? [{ path: `${root}/*` }] : [{ path: `${root}/*` }, { path: `${root}/${cfg.folder}`, exclude: true }],
            },
          }],
          template: {
            metadata: { name: applicationName(target, '{{.path.basenameNormalized}}'), ...labels, ...finalizers },
            spec: appSpec(cfg, target, '{{.path.path}}', '{{.path.basename}}', false),
          },
          // only the folders whose manifests hold vault placeholders render through the vault plugin
          ...(vaultFolders.length > 0 ? { templatePatch: vaultTemplatePatch(cfg, vaultFolders) } : {}),
        },
      });
      continue;
    }
    for (const f of target.folders) {
      const name = applicationName(target, f.folder);
      new ApiObject(chart, `Application-${name}`, {
        apiVersion: ARGO_API,
        kind: 'Application',
        metadata: {
          name,
          namespace: ns,
          annotations: { [ArgoCdAnnotations.SYNC_WAVE]: String(f.wave) },
          ...labels,
          ...finalizers,
        },
        spec: appSpec(cfg, target, `${root}/${f.folder}`, f.namespace, f.usesVault),
      });
    }
  }
}

/** A chart for the Argo CD objects; its folder is excluded from the application folders. */
export class ArgoCdChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { disableResourceNameHashes: true });
  }
}

import * as nodePath from 'path';
import { ApiObject, App, AppProps, Chart, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AmbientNamespace } from '../ambient/ambient-namespace';
import { MeshContext } from '../private/mesh-context';
import { LABEL_USE_WAYPOINT_NAMESPACE, MeshModel, labelsOf } from '../model';
import { ruleReadsKind } from '../rules';
import {
  AppFolder, ArgoCdChart, ArgoCdProps, ArgoCdTarget, CLUSTERS_FOLDER, ResolvedArgoCd, applicationName, defineArgoCdObjects, resolveArgoCd,
} from './argocd';
import { Cluster, ClusterOptions } from './cluster';
import { NamespacePruning, annotateForArgoCd } from './sync-policy';
import { renderApiObject, sortKeysFromEnv, usesBuiltInResolvers } from './fast-render';
import { FolderWriter, RECORD_FILE, checkPaths } from './writer';
import { toYaml } from './yaml-emitter';
import { optionalProps, propError } from '../private/props';

/** Props of {@link GitOpsApp}. */
export interface GitOpsAppProps extends AppProps {
  /**
   * Argo CD objects to synthesize into their own folder (`argocd/` by default): an ApplicationSet over the
   * application folders, or one Application per folder, and optionally the AppProject.
   *
   * @default - no Argo CD objects; the folders are still annotated for Argo CD
   */
  readonly argoCd?: ArgoCdProps;
  /**
   * How Argo CD may prune Namespaces.
   *
   * @default NamespacePruning.DISABLED
   */
  readonly namespacePruning?: NamespacePruning;
  /**
   * Annotate objects with Argo CD sync waves and sync options (see `SyncWaves`).
   *
   * @default true
   */
  readonly argoCdAnnotations?: boolean;
  /**
   * The clusters of a fleet. Each becomes a `Cluster` scope (see `GitOpsApp.clusters`): build into it what
   * that cluster runs. The tree then has one folder per cluster, `clusters/<name>/<folder>/`, and the Argo CD
   * objects one ApplicationSet (or one Application per folder) per cluster. More can be added with
   * `addCluster()`.
   *
   * @default - no clusters: one tree (`<folder>/`) deployed to `argoCd.destinationServer`
   */
  readonly clusters?: ClusterOptions[];
}

/** What the last `synth()` did: object and file counts, and the time of each phase. */
export interface SynthReport {
  /** ApiObjects rendered, the Argo CD objects included. */
  readonly objects: number;
  /** Application folders written (the Argo CD folder excluded). */
  readonly folders: number;
  /** Files written because they were new or changed. */
  readonly filesWritten: number;
  /** Files left untouched because their content was unchanged. */
  readonly filesUnchanged: number;
  /** Stale files removed. */
  readonly filesRemoved: number;
  /** Time to render every object once, in milliseconds. */
  readonly renderMs: number;
  /** Time to run every construct validation once (the rule set included), in milliseconds. */
  readonly validateMs: number;
  /** Time to turn the objects into YAML and bring the output folder up to date, in milliseconds. */
  readonly writeMs: number;
}

const GITOPS_APP_SYMBOL = Symbol.for('cdk8s-istio-ambient.GitOpsApp');
const KUSTOMIZATION = 'kustomization.yaml';
const CONSTRUCT_METADATA = 'construct-metadata.json';
// NAME_MAX of ext4, APFS and NTFS
const MAX_NAME_BYTES = 255;

/** Whether a rendered object holds an argocd-vault-plugin placeholder anywhere (a key or a string). */
function holdsVaultPlaceholder(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('<path:')) return true;
    } else if (Array.isArray(v)) {
      for (const c of v) stack.push(c);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, c] of Object.entries(v)) {
        if (k.includes('<path:')) return true;
        stack.push(c);
      }
    }
  }
  return false;
}


/** Every path of the application folders (each object's file and each folder's kustomization), in chart order. */
function* applicationPaths(apps: readonly ChartObjects[], folderOf: ReadonlyMap<Chart, string>, fileNames: ReadonlyMap<Chart, readonly string[]>): Generator<string> {
  for (const { chart } of apps) {
    const folderPath = folderOf.get(chart)!;
    for (const file of fileNames.get(chart)!) yield `${folderPath}/${file}`;
    yield `${folderPath}/${KUSTOMIZATION}`;
  }
}

interface ChartObjects {
  readonly chart: Chart;
  readonly objects: ApiObject[];
  /** The cluster the chart is in, in a fleet. */
  readonly cluster?: Cluster;
}

/**
 * A cdk8s App that synthesizes a tree Argo CD consumes unchanged, fast at thousands of namespaces.
 *
 * Layout: one folder per chart (an `AmbientNamespace` folder is named after its namespace), one file per
 * object named as cdk8s names it (`Kind.name.k8s.yaml`, the content byte for byte what cdk8s writes), a
 * `kustomization.yaml` per folder, and the Argo CD objects in their own folder. Every construct validation
 * runs exactly once and every object is rendered once; files whose content did not change are not rewritten
 * and stale files are removed, so a re-synth touches only what changed.
 *
 * The tree is the app's own: a record at its top ({@link GitOpsApp.RECORD_FILE_NAME}) lists the files it
 * wrote, and only those are ever replaced or removed. Every file is staged under a temporary name and the
 * tree changed by renames only after every check passed, so a failed synth leaves it as it was, and a crash
 * leaves each file whole (old or new) for the next run to complete. Symbolic links inside the tree are never
 * followed (see docs/limits.md).
 *
 * Note: the `cdk8s synth` command deletes its output folder before running the app, so every file is new
 * there, and a failed synth leaves that folder empty; run the app directly (`node -r sucrase/register/ts main.ts`)
 * to keep the tree as it was on failure and leave unchanged files untouched.
 */
export class GitOpsApp extends App {
  /**
   * The file at the top of the output folder that records the files the app wrote: one path per line,
   * sorted, after two comment lines. Commit it with the tree; the app replaces and removes only these.
   */
  public static readonly RECORD_FILE_NAME: string = RECORD_FILE;
  /** Whether `x` is a GitOpsApp (works across copies of the library). */
  public static isGitOpsApp(x: any): x is GitOpsApp {
    return x !== null && typeof x === 'object' && GITOPS_APP_SYMBOL in x;
  }

  private readonly argoCd?: ResolvedArgoCd;
  private readonly argoCdProps?: ArgoCdProps;
  private readonly argoCdChart?: ArgoCdChart;
  private readonly namespacePruning: NamespacePruning;
  private readonly annotate: boolean;
  /** As cdk8s decides it (App keeps its own copy private): the cdk8s CLI asks for it when validations run. */
  private readonly recordMetadata: boolean;
  private readonly _clusters: Cluster[] = [];
  private report?: SynthReport;

  constructor(props: GitOpsAppProps = {}) {
    props = optionalProps('GitOpsApp', props, 'pass { outdir: "dist" }, or no props');
    if (props.outdir !== undefined && (typeof props.outdir !== 'string' || props.outdir.trim() === '')) {
      throw propError('GitOpsApp', 'outdir', 'must be the path of the output folder', props.outdir, 'pass e.g. outdir: "dist", or leave it out (CDK8S_OUTDIR, else dist)');
    }
    if (props.yamlOutputType !== undefined && props.yamlOutputType !== YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE) {
      throw new Error(`GitOpsApp: yamlOutputType: a GitOps tree is one folder per chart and one file per object (got ${JSON.stringify(YamlOutputType[props.yamlOutputType])}); leave yamlOutputType unset, or use a plain App for other layouts`);
    }
    super({ ...props, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    Object.defineProperty(this, GITOPS_APP_SYMBOL, { value: true });
    this.namespacePruning = props.namespacePruning ?? NamespacePruning.DISABLED;
    this.annotate = props.argoCdAnnotations ?? true;
    this.recordMetadata = props.recordConstructMetadata ?? process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true';
    if (props.argoCd) {
      this.argoCdProps = props.argoCd;
      this.argoCd = resolveArgoCd(props.argoCd);
      this.argoCdChart = new ArgoCdChart(this, this.argoCd.folder);
    }
    for (const c of props.clusters ?? []) this.addCluster(c);
  }

  /** The clusters of the fleet, in the order they were added (a copy); empty for the single-cluster layout. */
  public get clusters(): Cluster[] {
    return [...this._clusters];
  }

  /**
   * Adds a cluster to the fleet and returns its scope: charts created in it are synthesized to
   * `clusters/<name>/` and deployed to that cluster only. Once the app has a cluster, every chart must be in one.
   */
  public addCluster(options: ClusterOptions): Cluster {
    const name = options?.name;
    if (this.argoCd && this.argoCdProps?.destinationServer !== undefined) {
      throw new Error(`GitOpsApp: argoCd.destinationServer: not used in a fleet, where each cluster names its own (got ${JSON.stringify(this.argoCdProps.destinationServer)}); set server or argoCdName on each cluster and leave destinationServer unset`);
    }
    if (this.argoCd && name === this.argoCd.folder) {
      throw new Error(`GitOpsApp: clusters[${JSON.stringify(name)}]: name: is also the name of the Argo CD folder; rename the cluster or set argoCd.folder`);
    }
    if (this.argoCd && this.argoCd.folder === CLUSTERS_FOLDER) {
      throw new Error(`GitOpsApp: argoCd.folder: a fleet keeps its cluster trees in ${JSON.stringify(CLUSTERS_FOLDER)}/ (got ${JSON.stringify(this.argoCd.folder)}); set argoCd.folder to another name, e.g. "argocd"`);
    }
    const same = this._clusters.find((c) => c.name === name);
    if (same) throw new Error(`GitOpsApp: clusters[${JSON.stringify(name)}]: name: a cluster of that name exists already; give every cluster its own name`);
    const cluster = new Cluster(this, name, options);
    const dest = cluster.server ?? cluster.argoCdName;
    const twin = this._clusters.find((c) => (c.server ?? c.argoCdName) === dest && (c.server === undefined) === (cluster.server === undefined));
    if (twin) {
      this.node.tryRemoveChild(cluster.node.id);
      const field = cluster.server !== undefined ? 'server' : 'argoCdName';
      throw new Error(`GitOpsApp: clusters[${JSON.stringify(name)}]: ${field}: cluster ${JSON.stringify(twin.name)} deploys there already (got ${JSON.stringify(dest)}); two clusters of the program would be one mesh: give each cluster its own destination, or merge them`);
    }
    this._clusters.push(cluster);
    return cluster;
  }

  /** What the last `synth()` did; undefined before the first one. */
  public get lastSynth(): SynthReport | undefined {
    return this.report;
  }

  /** Writes the GitOps tree to `outdir`. */
  public synth(): void {
    const argo = this.argoCdChart;
    // the Argo CD objects describe the folders of this synth: define them afresh each time
    if (argo) for (const c of [...argo.node.children]) argo.node.tryRemoveChild(c.node.id);

    const { constructs, charts, meshes } = collect(this);
    const apps = charts.filter((c) => c.objects.length > 0 && c.chart !== argo);
    const fleet = this._clusters.length > 0;
    if (fleet) {
      const outside = apps.find((c) => c.cluster === undefined);
      if (outside) {
        throw new Error(`GitOpsApp: ${outside.chart.node.path}: this chart is in no cluster, and the app has clusters (${this._clusters.map((c) => c.name).join(', ')}); in a fleet every chart belongs to one: create it in a cluster (new Chart(app.clusters[0], ...)) or leave clusters unset`);
      }
    }
    const folderOf = this.nameFolders(apps);
    // every file name up front: a clash fails before anything is rendered or written. Kept per chart, in the
    // order of its objects, and dropped once the chart is handed to the writer (a map of every object's name
    // was 19 MB at 10,000 namespaces, alive until the end of synth)
    const fileNames = new Map<Chart, string[]>();
    for (const { chart, objects } of apps) fileNames.set(chart, this.nameFiles(chart, objects, folderOf.get(chart)!));
    if (this.argoCd) checkApplicationNames(apps, folderOf);
    if (this.annotate) {
      for (const { objects } of apps) for (const o of objects) annotateForArgoCd(o, { namespacePruning: this.namespacePruning });
    }

    // the writer thread lists the output folder while this one renders and validates
    const writer = new FolderWriter(this.outdir);
    // every path of the application folders up front: one the file systems refuse means nothing is put (made
    // as they are checked: an array of them all, 250,000 at 10,000 namespaces, would stay alive past its use)
    const appPathProblem = checkPaths(applicationPaths(apps, folderOf, fileNames), this.outdir, nodePath);

    // render every object once (the rules read these renders instead of rendering again), and hand each chart's
    // files to the writer thread at once: it stages them while this thread validates. Nothing in the tree
    // changes before finish(); a failure aborts the writer, which removes what it staged.
    const render = renderer(this);
    // only the renders the rules read are kept past their chart: the others (Deployments, ...) are YAML by then
    const rendered = new Map<ApiObject, unknown>();
    const metadata: Record<string, { path: string }> = {};
    const vault = new Set<Chart>();
    let renderError: unknown;
    let writeError: unknown;
    let renderMs = 0;
    let putMs = 0;
    let renderedCount = 0;
    for (const { chart, objects } of apps) {
      const r0 = performance.now();
      const renders = new Map<ApiObject, unknown>();
      for (const o of objects) {
        try {
          const r = render(o);
          renders.set(o, r);
          renderedCount++;
          if (ruleReadsKind(o.apiGroup, o.kind)) rendered.set(o, r);
        } catch (e) {
          renderError ??= e;
        }
      }
      const r1 = performance.now();
      renderMs += r1 - r0;
      if (renderError !== undefined || appPathProblem !== undefined || writeError !== undefined) continue;
      try {
        if (this.writeChart(writer, metadata, objects, folderOf.get(chart)!, fileNames.get(chart)!, renders)) vault.add(chart);
        fileNames.delete(chart);
      } catch (e) {
        writeError = e; // reported after the validations, which come first
      }
      putMs += performance.now() - r1;
    }
    const t1 = performance.now();
    // one rule context per mesh: the whole app, or each cluster of a fleet (never two clusters together)
    const contexts = [...meshes].filter(([scope]) => !fleet || Cluster.isCluster(scope)).map(([scope, walked]) => {
      const context = MeshContext.of(scope);
      context.useRendered(rendered, walked);
      return [scope, context] as const;
    });
    const models = new Map<IConstruct, MeshModel>();
    const targets = new Map<Cluster | undefined, AppFolder[]>(fleet ? this._clusters.map((c) => [c, []]) : [[undefined, []]]);
    let argoObjects: ApiObject[] = [];
    let argoNames: string[] = [];
    const argoRendered = new Map<ApiObject, unknown>();
    try {
      validateOnce(constructs);
      if (renderError !== undefined) throw renderError;
      for (const [scope, context] of contexts) models.set(scope, context.model()); // the ones the rules just ran on
      for (const { chart, cluster } of apps) {
        const folderPath = folderOf.get(chart)!;
        const folder = folderPath.slice(folderPath.lastIndexOf('/') + 1);
        targets.get(cluster)!.push({
          folder,
          namespace: AmbientNamespace.isAmbientNamespace(chart) ? chart.namespaceName : (chart.namespace ?? folder),
          // only the Argo CD objects read it
          usesVault: this.argoCd !== undefined && vault.has(chart),
          wave: 0,
        });
      }
      // the Argo CD objects are defined, checked and named before any file is written
      if (this.argoCd && argo) {
        const argoTargets: ArgoCdTarget[] = [...targets].map(([cluster, folders]) => {
          const providers = waypointProviders(models.get(cluster ?? this)!);
          const mine = apps.filter((a) => a.cluster === cluster);
          return {
            cluster: cluster?.name,
            server: cluster ? cluster.server : this.argoCd!.destinationServer,
            clusterName: cluster?.argoCdName,
            labels: cluster?.labels ?? {},
            folders: folders.map((f) => ({ ...f, wave: providers.has(f.namespace) ? -1 : 0 })),
            namespaces: deployedNamespaces(mine, folders),
          };
        });
        defineArgoCdObjects(argo, this.argoCd, argoTargets);
        const added = collect(argo);
        // the chart itself was validated with the rest of the tree
        validateOnce(added.constructs.filter((c) => c !== argo));
        argoObjects = added.charts[0].objects;
        argoNames = this.nameFiles(argo, argoObjects, this.argoCd.folder);
        for (const o of argoObjects) argoRendered.set(o, render(o));
      }
      // every path at once, before anything is written: too long, or two that differ only in case
      if (appPathProblem !== undefined) throw new Error(`GitOpsApp: ${appPathProblem}; shorten or rename the object or chart that makes it`);
      // the application paths passed on their own: with the rest, each folder's kustomization stands for its
      // folder (a clash with another path is a clash of folder names on the way, or of the files of one folder)
      const paths: string[] = apps.map(({ chart }) => `${folderOf.get(chart)!}/${KUSTOMIZATION}`);
      if (this.argoCd) {
        for (const file of argoNames) paths.push(`${this.argoCd.folder}/${file}`);
        paths.push(`${this.argoCd.folder}/${KUSTOMIZATION}`);
      }
      if (this.recordMetadata) paths.push(CONSTRUCT_METADATA);
      const problem = checkPaths(paths, this.outdir, nodePath);
      if (problem !== undefined) throw new Error(`GitOpsApp: ${problem}; shorten or rename the object or chart that makes it`);
      if (writeError !== undefined) throw writeError;
    } catch (e) {
      writer.abort(); // nothing in the tree changes when synthesis fails; what was staged is removed
      throw e;
    } finally {
      for (const [, context] of contexts) context.useRendered(undefined);
    }
    const t2 = performance.now();

    if (this.argoCd && argo) this.writeChart(writer, metadata, argoObjects, this.argoCd.folder, argoNames, argoRendered);
    if (this.recordMetadata) writer.put(CONSTRUCT_METADATA, JSON.stringify({ version: '1.0.0', resources: metadata }));
    const counts = writer.finish();
    const t3 = performance.now();
    this.report = {
      objects: renderedCount + argoObjects.length,
      folders: apps.length,
      filesWritten: counts.written,
      filesUnchanged: counts.unchanged,
      filesRemoved: counts.removed,
      renderMs,
      validateMs: t2 - t1,
      writeMs: putMs + (t3 - t2),
    };
  }

  /**
   * cdk8s's own file name per object (FOLDER_PER_CHART_FILE_PER_RESOURCE), in the order of `objects`, failing
   * when two would share one.
   */
  private nameFiles(chart: Chart, objects: readonly ApiObject[], folder: string): string[] {
    const out: string[] = [];
    // keyed in lower case: names that differ only in case are one file on macOS and Windows checkouts
    const byFile = new Map<string, { o: ApiObject; file: string }>();
    for (const o of objects) {
      const file = `${o.kind}.${o.metadata.name}`.replace(/[^0-9a-zA-Z-_.]/g, '') + this.outputFileExtension;
      const clash = byFile.get(file.toLowerCase());
      if (clash) {
        const how = clash.file === file ? `would both be written to ${folder}/${file}` : `would be written to ${folder}/${clash.file} and ${folder}/${file}, which differ only in case (one file on macOS and Windows)`;
        throw new Error(`GitOpsApp: ${chart.node.path}: ${o.node.path} and ${clash.o.node.path} ${how}; give them different names or put them in different charts`);
      }
      const bytes = Buffer.byteLength(file, 'utf8');
      if (bytes > MAX_NAME_BYTES) {
        throw new Error(`GitOpsApp: ${o.node.path}: metadata.name: the file name ${folder}/${file.slice(0, 60)}... would be ${bytes} bytes, more than the ${MAX_NAME_BYTES} file systems allow (got a name of ${o.metadata.name?.length} characters); shorten the name to at most ${MAX_NAME_BYTES - bytes + (o.metadata.name?.length ?? 0)} characters`);
      }
      byFile.set(file.toLowerCase(), { o, file });
      out.push(file);
    }
    return out;
  }

  /**
   * Hands one chart's files (one per object, named by `names` in the same order, plus its kustomization) to
   * the writer; true when an object holds an argocd-vault-plugin placeholder.
   */
  private writeChart(writer: FolderWriter, metadata: Record<string, { path: string }>, objects: readonly ApiObject[], folder: string,
    names: readonly string[], rendered: ReadonlyMap<ApiObject, unknown>): boolean {
    let vault = false;
    for (let i = 0; i < objects.length; i++) {
      const o = objects[i];
      const r = rendered.get(o);
      const yaml = toYaml(r);
      // YAML folds only at spaces, so the text rules most objects out; the walk decides the rest
      if (!vault && yaml.includes('<path:')) vault = holdsVaultPlaceholder(r);
      writer.put(`${folder}/${names[i]}`, yaml);
      if (this.recordMetadata) metadata[o.name] = { path: o.node.path };
    }
    writer.put(`${folder}/${KUSTOMIZATION}`, toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...names].sort() }));
    return vault;
  }

  /**
   * Folder per chart, relative to the output folder: the namespace for an AmbientNamespace, cdk8s's DNS label
   * otherwise (the chart's id when it is one, directly in the app or its cluster), under `clusters/<name>/` in a
   * fleet; two charts of one cluster (or of the single tree) in the same folder fail.
   */
  private nameFolders(charts: readonly ChartObjects[]): Map<Chart, string> {
    const out = new Map<Chart, string>();
    const taken = new Map<string, Chart>();
    if (this.argoCd && this.argoCdChart) taken.set(this.argoCd.folder, this.argoCdChart);
    for (const { chart, cluster } of charts) {
      let name: string;
      if (AmbientNamespace.isAmbientNamespace(chart)) name = chart.namespaceName;
      else if (cluster && chart.node.scope === cluster && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(chart.node.id) && chart.node.id.length <= 63) name = chart.node.id;
      else name = Names.toDnsLabel(chart);
      const folder = cluster ? `${CLUSTERS_FOLDER}/${cluster.name}/${name}` : name;
      const clash = taken.get(folder);
      if (clash) {
        throw new Error(`GitOpsApp: ${chart.node.path}: its folder ${JSON.stringify(folder)} is also the folder of ${clash.node.path}; rename one of them${clash === this.argoCdChart ? ' or set argoCd.folder' : ''}`);
      }
      taken.set(folder, chart);
      out.set(chart, folder);
    }
    return out;
  }
}

/**
 * Application names are unique in Argo CD's namespace: in a fleet `<cluster>-<folder>`, which two clusters
 * could share (cluster "a-b" with folder "c", cluster "a" with folder "b-c"); fails naming both.
 */
function checkApplicationNames(apps: readonly ChartObjects[], folderOf: ReadonlyMap<Chart, string>): void {
  const seen = new Map<string, string>();
  for (const { chart, cluster } of apps) {
    const path = folderOf.get(chart)!;
    const name = applicationName({ cluster: cluster?.name }, path.slice(path.lastIndexOf('/') + 1));
    const other = seen.get(name);
    if (other !== undefined) {
      throw new Error(`GitOpsApp: ${chart.node.path}: its Argo CD Application would be named ${JSON.stringify(name)}, as the one of folder ${JSON.stringify(other)}; rename a cluster or one of the folders`);
    }
    seen.set(name, path);
  }
}

/** Namespaces whose waypoint serves Services or Namespaces elsewhere: their Applications sync first. */
function waypointProviders(model: MeshModel): Set<string> {
  const providers = new Set<string>();
  for (const e of [...model.namespaces.values(), ...model.services.values(), ...model.serviceEntries.values()]) {
    const wpNs = labelsOf(e.manifest)[LABEL_USE_WAYPOINT_NAMESPACE];
    const own = e.kind === 'Namespace' ? e.name : e.namespace;
    if (wpNs && wpNs !== own) providers.add(wpNs);
  }
  return providers;
}

/**
 * Every construct under `root` in pre-order (the order cdk8s validates in), each object under its closest
 * chart, each chart with its cluster, and the constructs of each mesh (the app, or each cluster) apart.
 */
function collect(root: IConstruct): { constructs: IConstruct[]; charts: ChartObjects[]; meshes: Map<IConstruct, IConstruct[]> } {
  const constructs: IConstruct[] = [];
  const charts: ChartObjects[] = [];
  const meshes = new Map<IConstruct, IConstruct[]>([[root, []]]);
  const walk = (c: IConstruct, current: ChartObjects | undefined, cluster: Cluster | undefined, mesh: IConstruct[]): void => {
    constructs.push(c);
    let here = current;
    let inCluster = cluster;
    let own = mesh;
    if (Cluster.isCluster(c)) {
      inCluster = c;
      own = [];
      meshes.set(c, own);
    }
    own.push(c);
    if (Chart.isChart(c)) {
      here = { chart: c, objects: [], cluster: inCluster };
      charts.push(here);
    } else if (ApiObject.isApiObject(c) && here) {
      here.objects.push(c);
    }
    for (const child of c.node.children) walk(child, here, inCluster, own);
  };
  walk(root, undefined, undefined, meshes.get(root)!);
  return { constructs, charts, meshes };
}

/**
 * How this synth renders an object: as `ApiObject.toJson()` does, through the one-pass renderer where it
 * provably gives the same result (plain ApiObjects, cdk8s's own resolvers), else through toJson() itself.
 */
function renderer(app: App): (o: ApiObject) => unknown {
  if (!usesBuiltInResolvers(app)) return (o) => o.toJson();
  const sortKeys = sortKeysFromEnv();
  return (o) => renderApiObject(o, sortKeys) ?? o.toJson();
}

/** Runs each construct's validations once, failing like cdk8s with every message prefixed by its path. */
function validateOnce(constructs: readonly IConstruct[]): void {
  const errors: string[] = [];
  for (const c of constructs) {
    for (const message of c.node.validate()) errors.push(`[${c.node.path}] ${message}`);
  }
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
}

/** Namespaces the application folders deploy into, sorted: the AppProject's destinations. */
function deployedNamespaces(apps: readonly ChartObjects[], folders: readonly AppFolder[]): string[] {
  const set = new Set<string>(folders.map((f) => f.namespace));
  for (const { objects } of apps) for (const o of objects) if (o.metadata.namespace) set.add(o.metadata.namespace);
  return [...set].sort();
}

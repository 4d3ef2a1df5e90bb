import { ApiObject, App, AppProps, Chart, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AmbientNamespace } from '../ambient/ambient-namespace';
import { MeshContext } from '../private/mesh-context';
import { LABEL_USE_WAYPOINT_NAMESPACE, MeshModel, labelsOf } from '../model';
import { AppFolder, ArgoCdChart, ArgoCdProps, ResolvedArgoCd, defineArgoCdObjects, resolveArgoCd } from './argocd';
import { NamespacePruning, annotateForArgoCd } from './sync-policy';
import { renderApiObject, sortKeysFromEnv, usesBuiltInResolvers } from './fast-render';
import { FolderWriter } from './writer';
import { toYaml } from './yaml-emitter';

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

interface ChartObjects {
  readonly chart: Chart;
  readonly objects: ApiObject[];
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
 * Note: the `cdk8s synth` command deletes its output folder before running the app, so every file is new
 * there, and a failed synth leaves that folder empty; run the app directly (`node -r sucrase/register/ts main.ts`)
 * to keep the tree as it was on failure and leave unchanged files untouched.
 */
export class GitOpsApp extends App {
  /** Whether `x` is a GitOpsApp (works across copies of the library). */
  public static isGitOpsApp(x: any): x is GitOpsApp {
    return x !== null && typeof x === 'object' && GITOPS_APP_SYMBOL in x;
  }

  private readonly argoCd?: ResolvedArgoCd;
  private readonly argoCdChart?: ArgoCdChart;
  private readonly namespacePruning: NamespacePruning;
  private readonly annotate: boolean;
  /** As cdk8s decides it (App keeps its own copy private): the cdk8s CLI asks for it when validations run. */
  private readonly recordMetadata: boolean;
  private report?: SynthReport;

  constructor(props: GitOpsAppProps = {}) {
    if (props.yamlOutputType !== undefined && props.yamlOutputType !== YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE) {
      throw new Error(`GitOpsApp: yamlOutputType: a GitOps tree is one folder per chart and one file per object (got ${JSON.stringify(YamlOutputType[props.yamlOutputType])}); leave yamlOutputType unset, or use a plain App for other layouts`);
    }
    super({ ...props, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    Object.defineProperty(this, GITOPS_APP_SYMBOL, { value: true });
    this.namespacePruning = props.namespacePruning ?? NamespacePruning.DISABLED;
    this.annotate = props.argoCdAnnotations ?? true;
    this.recordMetadata = props.recordConstructMetadata ?? process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true';
    if (props.argoCd) {
      this.argoCd = resolveArgoCd(props.argoCd);
      this.argoCdChart = new ArgoCdChart(this, this.argoCd.folder);
    }
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

    const { constructs, charts } = collect(this);
    const apps = charts.filter((c) => c.objects.length > 0 && c.chart !== argo);
    const folderOf = this.nameFolders(apps);
    // every file name up front: a clash fails before anything is rendered or written
    const fileNames = new Map<ApiObject, string>();
    for (const { chart, objects } of apps) this.nameFiles(chart, objects, folderOf.get(chart)!, fileNames);
    if (this.annotate) {
      for (const { objects } of apps) for (const o of objects) annotateForArgoCd(o, { namespacePruning: this.namespacePruning });
    }

    // the writer thread lists the output folder while this one renders and validates
    const ext = this.outputFileExtension;
    const writer = new FolderWriter(this.outdir, { extension: ext, names: [KUSTOMIZATION, CONSTRUCT_METADATA] });

    // render every object once; the rules read these renders instead of rendering again
    const t0 = performance.now();
    const render = renderer(this);
    const rendered = new Map<ApiObject, unknown>();
    let renderError: unknown;
    for (const { objects } of apps) {
      for (const o of objects) {
        try {
          rendered.set(o, render(o));
        } catch (e) {
          renderError ??= e;
        }
      }
    }
    const t1 = performance.now();
    const context = MeshContext.of(this);
    context.useRendered(rendered, constructs);
    let model: MeshModel;
    try {
      validateOnce(constructs);
      if (renderError !== undefined) throw renderError;
      model = context.model(); // the one the rules just ran on
    } catch (e) {
      writer.abort(); // nothing is written when synthesis fails
      throw e;
    } finally {
      context.useRendered(undefined);
    }
    const t2 = performance.now();

    const metadata: Record<string, { path: string }> = {};
    const folders: AppFolder[] = [];
    for (const { chart, objects } of apps) {
      const folder = folderOf.get(chart)!;
      const usesVault = this.writeChart(writer, metadata, objects, folder, fileNames, rendered);
      folders.push({ folder, namespace: AmbientNamespace.isAmbientNamespace(chart) ? chart.namespaceName : (chart.namespace ?? folder), usesVault, wave: 0 });
    }
    let argoObjects = 0;
    if (this.argoCd && argo) {
      const providers = waypointProviders(model);
      const ordered = folders.map((f) => ({ ...f, wave: providers.has(f.namespace) ? -1 : 0 }));
      defineArgoCdObjects(argo, this.argoCd, ordered, deployedNamespaces(apps, folders));
      const added = collect(argo);
      validateOnce(added.constructs);
      const objects = added.charts[0].objects;
      argoObjects = objects.length;
      this.nameFiles(argo, objects, this.argoCd.folder, fileNames);
      this.writeChart(writer, metadata, objects, this.argoCd.folder, fileNames, new Map(objects.map((o) => [o, render(o)])));
    }
    if (this.recordMetadata) writer.put(CONSTRUCT_METADATA, JSON.stringify({ version: '1.0.0', resources: metadata }));
    const counts = writer.finish();
    const t3 = performance.now();
    this.report = {
      objects: rendered.size + argoObjects,
      folders: apps.length,
      filesWritten: counts.written,
      filesUnchanged: counts.unchanged,
      filesRemoved: counts.removed,
      renderMs: t1 - t0,
      validateMs: t2 - t1,
      writeMs: t3 - t2,
    };
  }

  /** cdk8s's own file name per object (FOLDER_PER_CHART_FILE_PER_RESOURCE), failing when two would share one. */
  private nameFiles(chart: Chart, objects: readonly ApiObject[], folder: string, out: Map<ApiObject, string>): void {
    const byFile = new Map<string, ApiObject>();
    for (const o of objects) {
      const file = `${o.kind}.${o.metadata.name}`.replace(/[^0-9a-zA-Z-_.]/g, '') + this.outputFileExtension;
      const clash = byFile.get(file);
      if (clash) {
        throw new Error(`GitOpsApp: ${chart.node.path}: ${o.node.path} and ${clash.node.path} would both be written to ${folder}/${file}; give them different names or put them in different charts`);
      }
      byFile.set(file, o);
      out.set(o, file);
    }
  }

  /** Hands one chart's files (one per object, plus its kustomization) to the writer; says whether any holds a vault placeholder. */
  private writeChart(writer: FolderWriter, metadata: Record<string, { path: string }>, objects: readonly ApiObject[], folder: string,
    fileNames: ReadonlyMap<ApiObject, string>, rendered: ReadonlyMap<ApiObject, unknown>): boolean {
    let vault = false;
    const names: string[] = [];
    for (const o of objects) {
      const file = fileNames.get(o)!;
      const yaml = toYaml(rendered.get(o));
      vault = vault || yaml.includes('<path:');
      writer.put(`${folder}/${file}`, yaml);
      names.push(file);
      if (this.recordMetadata) metadata[o.name] = { path: o.node.path };
    }
    writer.put(`${folder}/${KUSTOMIZATION}`, toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: names.sort() }));
    return vault;
  }

  /** Folder per chart: the namespace for an AmbientNamespace, cdk8s's DNS label otherwise; clashes fail. */
  private nameFolders(charts: readonly ChartObjects[]): Map<Chart, string> {
    const out = new Map<Chart, string>();
    const taken = new Map<string, Chart>();
    if (this.argoCd && this.argoCdChart) taken.set(this.argoCd.folder, this.argoCdChart);
    for (const { chart } of charts) {
      const folder = AmbientNamespace.isAmbientNamespace(chart) ? chart.namespaceName : Names.toDnsLabel(chart);
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

/** Every construct under `root` in pre-order (the order cdk8s validates in), and each object under its closest chart. */
function collect(root: IConstruct): { constructs: IConstruct[]; charts: ChartObjects[] } {
  const constructs: IConstruct[] = [];
  const charts: ChartObjects[] = [];
  const walk = (c: IConstruct, current: ChartObjects | undefined): void => {
    constructs.push(c);
    let here = current;
    if (Chart.isChart(c)) {
      here = { chart: c, objects: [] };
      charts.push(here);
    } else if (ApiObject.isApiObject(c) && here) {
      here.objects.push(c);
    }
    for (const child of c.node.children) walk(child, here);
  };
  walk(root, undefined);
  return { constructs, charts };
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

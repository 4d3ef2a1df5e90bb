/**
 * Runs the rule set over every ApiObject of the app and hands each construct the findings about its own
 * objects. One rule run serves a whole validation pass; it is reused by later passes while the tree is
 * unchanged (a plain `App.synth()` validates the whole app once per chart). Not exported from the library.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';
import { MeshModel, MeshModelOptions } from '../model/mesh-model';
import { SourcedManifest } from '../model/manifest';
import { Finding, FixWording, Severity, formatFindingIn } from '../rules/finding';
import { IgnoreEntry, applySuppressions, parseIgnoreList, ruleReadsKind, runRules, suppressionSuffix } from '../rules';

const CONTEXTS = new WeakMap<IConstruct, MeshContext>();
const MESH_SCOPE = Symbol.for('cdk8s-istio-ambient.MeshScope');

/**
 * Marks `scope` as holding a mesh of its own (a cluster of a fleet): the constructs under it get a context of
 * their own, and no rule ever reads objects of two such scopes together.
 */
export function markMeshScope(scope: IConstruct): void {
  Object.defineProperty(scope, MESH_SCOPE, { value: true });
}

/** The construct whose mesh `scope` belongs to: the closest marked scope above it (or itself), else the tree root. */
export function meshScopeOf(scope: IConstruct): IConstruct {
  for (let c: IConstruct | undefined = scope; c; c = c.node.scope) if (MESH_SCOPE in c) return c;
  return scope.node.root;
}

/** Every construct of the mesh rooted at `root`, in pre-order, without descending into other mesh scopes. */
function meshConstructs(root: IConstruct): IConstruct[] {
  const out: IConstruct[] = [];
  const walk = (c: IConstruct): void => {
    out.push(c);
    for (const child of c.node.children) if (!(MESH_SCOPE in child)) walk(child);
  };
  walk(root);
  return out;
}

/** Warnings are printed to stderr unless this variable is set; a comma list of codes silences just those. */
export const QUIET_ENV = 'CDK8S_ISTIO_AMBIENT_QUIET';

/** Whether a warning code is silenced: `QUIET=1` (or true, yes, all) silences all, `QUIET=BA011,WASM023` just those. */
export function isSilenced(code: string, value: string | undefined = process.env[QUIET_ENV]): boolean {
  if (value === undefined || value === '') return false;
  if (/^(1|true|yes|all)$/i.test(value.trim())) return true;
  return value.split(',').some((c) => c.trim() === code);
}

/**
 * The synth counterpart of `analyze --ignore`: `CODE[,CODE][: reason]` entries, separated by `;` or new lines.
 * Unlike the quiet list, it suppresses errors too (an auth plugin's error only with a reason).
 */
export const IGNORE_ENV = 'CDK8S_ISTIO_AMBIENT_IGNORE';

/** The entries of the ignore variable; throws one line naming the variable for a malformed entry. */
export function ignoreFromEnv(value: string | undefined = process.env[IGNORE_ENV]): IgnoreEntry[] {
  if (value === undefined || value.trim() === '') return [];
  return parseIgnoreList(value.split(/[;\n]/), IGNORE_ENV);
}

export class MeshContext {
  /** The context of the mesh that holds `scope` (its cluster, else the whole app), created on first use. */
  public static of(scope: IConstruct): MeshContext {
    const root = meshScopeOf(scope);
    let ctx = CONTEXTS.get(root);
    if (!ctx) {
      ctx = new MeshContext(root);
      CONTEXTS.set(root, ctx);
    }
    return ctx;
  }

  /** Model options for the whole app (root namespace). */
  public options: MeshModelOptions = {};
  /** Rendered manifests supplied by an app that renders every object once (see `useRendered`). */
  private rendered?: ReadonlyMap<ApiObject, unknown>;
  /** The app's own walk of the tree, supplied with the renders, so the context need not walk it again. */
  private walked?: readonly IConstruct[];
  private findingsBySource?: Map<unknown, Finding[]>;
  private all: Finding[] = [];
  /** Tree size and mutation count when the findings were computed: unchanged means still valid. */
  private stamp?: string;
  private generation = 0;
  private readonly owners = new Map<ApiObject, IConstruct>();
  /** Constructs of ours that own objects: findings about them give their fix in the construct API's words. */
  private readonly ours = new WeakSet<IConstruct>();
  private readonly validated = new WeakSet<IConstruct>();
  private readonly warned = new Set<string>();

  private constructor(private readonly root: IConstruct) {
    // the root is validated first in every pass (pre-order), so stale findings are dropped before any owner asks
    root.node.addValidation({ validate: () => { this.refreshIfChanged(); return []; } });
  }

  /** Records that `owner` renders `obj`: findings about `obj` are reported at the owner's path. */
  public own(owner: IConstruct, obj: ApiObject): void {
    this.owners.set(obj, owner);
    this.ours.add(owner);
    this.invalidate();
    if (!this.validated.has(owner)) {
      this.validated.add(owner);
      owner.node.addValidation(this.validationFor(owner));
    }
  }

  /** Drops the findings: a construct of ours changed something the rules read. */
  public invalidate(): void {
    this.generation++;
    this.findingsBySource = undefined;
  }

  /**
   * Lets the rules read already rendered manifests instead of rendering the objects again, with the app's
   * walk of the tree (every construct, in pre-order); pass undefined to go back to rendering. Used by
   * `GitOpsApp`, which walks the tree and renders each object exactly once.
   */
  public useRendered(rendered: ReadonlyMap<ApiObject, unknown> | undefined, walked?: readonly IConstruct[]): void {
    this.rendered = rendered;
    this.walked = rendered ? walked : undefined;
    // new renders must be read; dropping them keeps the findings made from them, which are still current
    if (rendered) this.invalidate();
  }

  /** Every finding of the current tree. */
  public findings(): Finding[] {
    this.refreshIfChanged();
    return [...this.all];
  }

  /** The model the rules last ran on, rebuilt if the tree changed. */
  public model(): MeshModel {
    this.refreshIfChanged();
    return this.lastModel!;
  }

  private lastModel?: MeshModel;

  private validationFor(source: IConstruct): IValidation {
    return {
      validate: () => {
        if (!this.findingsBySource) this.refreshIfChanged();
        return (this.findingsBySource!.get(source) ?? [])
          .filter((f) => f.severity === Severity.ERROR && !f.suppressed)
          .map((f) => `${formatFindingIn(f, this.wordingFor(f))}${suppressionSuffix(f)}`);
      },
    };
  }

  /** The construct API's words for findings about objects our constructs made, the YAML's for any other object. */
  private wordingFor(f: Finding): FixWording {
    return this.ours.has(f.source as IConstruct) ? FixWording.CONSTRUCT : FixWording.YAML;
  }

  private refreshIfChanged(): void {
    const constructs = this.walked ?? meshConstructs(this.root);
    const stamp = `${constructs.length}/${this.generation}`;
    if (this.findingsBySource && stamp === this.stamp) return;
    this.refresh(constructs);
    this.stamp = stamp;
  }

  private refresh(constructs: readonly IConstruct[]): void {
    const objects: SourcedManifest[] = [];
    for (const c of constructs) {
      if (!ApiObject.isApiObject(c) || !ruleReadsKind(c.apiGroup, c.kind)) continue;
      let manifest: any = this.rendered?.get(c);
      if (manifest === undefined) {
        try {
          manifest = c.toJson();
        } catch {
          continue; // cdk8s reports serialization failures itself, with the path
        }
      }
      const owner = this.owners.get(c) ?? c;
      objects.push({ manifest, origin: owner.node.path, source: owner });
    }
    this.lastModel = MeshModel.build(objects, this.options);
    this.all = applySuppressions(runRules(this.lastModel), this.lastModel, { ignore: ignoreFromEnv(), ignoreWhere: IGNORE_ENV });
    const bySource = new Map<unknown, Finding[]>();
    for (const f of this.all) {
      const list = bySource.get(f.source);
      if (list) list.push(f); else bySource.set(f.source, [f]);
      if (f.severity === Severity.ERROR && !f.suppressed && !this.validated.has(f.source as IConstruct)) {
        // an object no construct of ours owns (a user's Service, a kplus.Namespace): report at its own path
        this.validated.add(f.source as IConstruct);
        (f.source as IConstruct).node.addValidation(this.validationFor(f.source as IConstruct));
      }
      // suppressed findings are said once, as suppressed, unless the quiet list silences their code
      if ((f.severity === Severity.WARNING || f.suppressed) && !isSilenced(f.code)) {
        const line = `${f.suppressed ? 'suppressed ' : ''}${f.severity} ${formatFindingIn(f, this.wordingFor(f))}${suppressionSuffix(f)}`;
        if (!this.warned.has(line)) {
          this.warned.add(line);
          process.stderr.write(`${line}\n`);
        }
      }
    }
    this.findingsBySource = bySource;
  }
}

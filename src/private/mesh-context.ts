/**
 * Runs the rule set once per validation pass over every ApiObject of the app, and hands each construct
 * the findings about its own objects. Not exported from the library.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';
import { MeshModel, MeshModelOptions } from '../model/mesh-model';
import { SourcedManifest } from '../model/manifest';
import { Finding, Severity, formatFinding } from '../rules/finding';
import { runRules } from '../rules';

const CONTEXTS = new WeakMap<IConstruct, MeshContext>();

export class MeshContext {
  /** The context of the app (tree root) that holds `scope`, created on first use. */
  public static of(scope: IConstruct): MeshContext {
    const root = scope.node.root;
    let ctx = CONTEXTS.get(root);
    if (!ctx) {
      ctx = new MeshContext(root);
      CONTEXTS.set(root, ctx);
    }
    return ctx;
  }

  /** Model options for the whole app (root namespace). */
  public options: MeshModelOptions = {};
  private findingsBySource?: Map<unknown, Finding[]>;
  private all: Finding[] = [];
  private readonly owners = new Map<ApiObject, IConstruct>();
  private readonly validated = new WeakSet<IConstruct>();
  private readonly warned = new Set<string>();

  private constructor(private readonly root: IConstruct) {
    // the root is validated first in every pass (pre-order), so the model is rebuilt once per pass
    root.node.addValidation({ validate: () => { this.refresh(); return []; } });
  }

  /** Records that `owner` renders `obj`: findings about `obj` are reported at the owner's path. */
  public own(owner: IConstruct, obj: ApiObject): void {
    this.owners.set(obj, owner);
    this.invalidate();
    if (!this.validated.has(owner)) {
      this.validated.add(owner);
      owner.node.addValidation(this.validationFor(owner));
    }
  }

  public invalidate(): void {
    this.findingsBySource = undefined;
  }

  /** Every finding of the current tree (rebuilt if the tree changed since the last pass). */
  public findings(): Finding[] {
    if (!this.findingsBySource) this.refresh();
    return [...this.all];
  }

  private validationFor(source: IConstruct): IValidation {
    return {
      validate: () => {
        if (!this.findingsBySource) this.refresh();
        return (this.findingsBySource!.get(source) ?? [])
          .filter((f) => f.severity === Severity.ERROR)
          .map(formatFinding);
      },
    };
  }

  private refresh(): void {
    const objects: SourcedManifest[] = [];
    for (const c of this.root.node.findAll()) {
      if (!ApiObject.isApiObject(c)) continue;
      let manifest: any;
      try {
        manifest = c.toJson();
      } catch {
        continue; // cdk8s reports serialization failures itself, with the path
      }
      const owner = this.owners.get(c) ?? c;
      objects.push({ manifest, origin: owner.node.path, source: owner });
    }
    this.all = runRules(MeshModel.build(objects, this.options));
    const bySource = new Map<unknown, Finding[]>();
    for (const f of this.all) {
      const list = bySource.get(f.source);
      if (list) list.push(f); else bySource.set(f.source, [f]);
      if (f.severity === Severity.ERROR && !this.validated.has(f.source as IConstruct)) {
        // an object no construct of ours owns (a user's Service, a kplus.Namespace): report at its own path
        this.validated.add(f.source as IConstruct);
        (f.source as IConstruct).node.addValidation(this.validationFor(f.source as IConstruct));
      }
      if (f.severity === Severity.WARNING) {
        const line = `warning ${formatFinding(f)}`;
        if (!this.warned.has(line)) {
          this.warned.add(line);
          if (!process.env.CDK8S_ISTIO_AMBIENT_QUIET) process.stderr.write(`${line}\n`);
        }
      }
    }
    this.findingsBySource = bySource;
  }
}

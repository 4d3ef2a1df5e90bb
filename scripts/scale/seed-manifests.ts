/**
 * Writes the seed scenario (Bookinfo, curl, ingress gateway and route, waypoint, three basic-auth plugins) into
 * N namespaces as YAML, for scale measurements of `analyze` alone (`npm run analyze:scale`; the project benchmark
 * times `analyze` on GitOpsApp's own output instead). The scenario is
 * synthesized once through the real constructs; each namespace is that output with the namespace renamed,
 * so writing 3,000 namespaces takes about a second.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { SeedScenario } from '../../src/samples/seed-scenario';

/** How the files are laid out. */
export enum SeedLayout {
  /** One multi-document file per namespace: `<ns>.yaml`. */
  FILE_PER_NAMESPACE = 'file-per-namespace',
  /** A folder per namespace, one file per object, a kustomization.yaml, and an Argo CD ApplicationSet in `argocd/`. */
  FILE_PER_RESOURCE = 'file-per-resource',
}

export interface SeedManifestsOptions {
  /** How many namespaces. */
  readonly namespaces: number;
  /** Where to write (created; existing content is removed). */
  readonly outDir: string;
  /** @default SeedLayout.FILE_PER_NAMESPACE */
  readonly layout?: SeedLayout;
  /** Namespace names are `<prefix><index, 4 digits>`. @default "shop-" */
  readonly prefix?: string;
}

export interface SeedManifestsStats {
  readonly namespaces: number;
  readonly objects: number;
  readonly files: number;
  readonly bytes: number;
}

// a name that cannot occur anywhere else in the output, so renaming is a plain text replacement
const TOKEN = 'scaletemplatens';

/** The scenario's objects, rendered once, as YAML documents naming the namespace TOKEN. */
export function seedTemplate(): Array<{ kind: string; name: string; yaml: string }> {
  const app = Testing.app();
  const chart = new SeedScenario(app, TOKEN, { namespace: TOKEN });
  return Testing.synth(chart).map((o: any) => ({ kind: String(o.kind), name: String(o.metadata?.name), yaml: YAML.stringify(o) }));
}

export function namespaceName(prefix: string, i: number): string {
  return `${prefix}${String(i).padStart(4, '0')}`;
}

/** Writes the scenario into `namespaces` namespaces under `outDir`. */
export function writeSeedManifests(options: SeedManifestsOptions): SeedManifestsStats {
  const layout = options.layout ?? SeedLayout.FILE_PER_NAMESPACE;
  const prefix = options.prefix ?? 'shop-';
  const template = seedTemplate();
  fs.rmSync(options.outDir, { recursive: true, force: true });
  fs.mkdirSync(options.outDir, { recursive: true });
  let files = 0;
  let bytes = 0;
  const write = (file: string, text: string) => {
    fs.writeFileSync(file, text);
    files++;
    bytes += Buffer.byteLength(text);
  };
  const joined = template.map((t) => t.yaml).join('---\n');
  for (let i = 0; i < options.namespaces; i++) {
    const ns = namespaceName(prefix, i);
    if (layout === SeedLayout.FILE_PER_NAMESPACE) {
      write(path.join(options.outDir, `${ns}.yaml`), joined.split(TOKEN).join(ns));
      continue;
    }
    const dir = path.join(options.outDir, ns);
    fs.mkdirSync(dir);
    const names: string[] = [];
    for (const t of template) {
      const file = `${t.kind.toLowerCase()}-${t.name === TOKEN ? ns : t.name}.yaml`;
      names.push(file);
      write(path.join(dir, file), t.yaml.split(TOKEN).join(ns));
    }
    write(path.join(dir, 'kustomization.yaml'), YAML.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: names }));
  }
  if (layout === SeedLayout.FILE_PER_RESOURCE) {
    fs.mkdirSync(path.join(options.outDir, 'argocd'));
    write(path.join(options.outDir, 'argocd', 'applicationset.yaml'), YAML.stringify({
      apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'shops', namespace: 'argocd' },
      spec: { goTemplate: true, generators: [{ git: { repoURL: 'https://example.com/gitops.git', revision: 'HEAD', directories: [{ path: 'dist/*' }, { path: 'dist/argocd', exclude: true }] } }],
        template: { metadata: { name: '{{.path.basenameNormalized}}' }, spec: { project: 'default',
          source: { repoURL: 'https://example.com/gitops.git', targetRevision: 'HEAD', path: '{{.path.path}}' },
          destination: { server: 'https://kubernetes.default.svc', namespace: '{{.path.basename}}' } } } },
    }));
  }
  const extra = layout === SeedLayout.FILE_PER_RESOURCE ? options.namespaces + 1 : 0; // kustomizations and the ApplicationSet
  return { namespaces: options.namespaces, objects: template.length * options.namespaces + extra, files, bytes };
}

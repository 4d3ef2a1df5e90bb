// examples/fleet: three clusters running the seed scenario with per-cluster differences. Its committed dist/ is
// what the app writes into CDK8S_OUTDIR, every application folder renders with kubectl kustomize, and each
// cluster answers requests as its own mesh.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { loadManifests } from '../../src/loader/load';
import { loadSimulator } from '../../src/simulate';
import { cli, fileTree, hasKubectl, synthExample } from '../support';

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'fleet');
const DIST = path.join(EXAMPLE, 'dist');

const objects = (dir: string) => loadManifests([path.join(DIST, dir)]).objects.map((o) => o.manifest as any);
const named = (dir: string, kind: string) => objects(dir).filter((m) => m.kind === kind).map((m) => m.metadata.name).sort();
const appFolders = fs.readdirSync(DIST, { recursive: true }).map(String).filter((f) => f.endsWith('kustomization.yaml')).map((f) => path.dirname(f)).sort();

describe('examples/fleet', () => {
  test('writes into CDK8S_OUTDIR exactly the committed dist/', () => {
    // regenerate with `cd examples/fleet && npx cdk8s synth` when this fails
    expect(synthExample(path.join(EXAMPLE, 'main.ts'), 'fleet-example-')).toEqual(fileTree(DIST));
  });

  test('three clusters, each with its differences', () => {
    expect(appFolders).toEqual(['argocd', 'clusters/dev/default', 'clusters/prod/default', 'clusters/staging/default']);
    const plugins = (c: string) => named(`clusters/${c}/default`, 'WasmPlugin');
    expect(plugins('dev')).toEqual(['basic-auth-at-gateway', 'basic-auth-at-waypoint', 'basic-auth-for-service']);
    // a plugin only in staging
    expect(plugins('staging')).toEqual([...plugins('dev'), 'basic-auth-for-details'].sort());
    // another waypoint layout in prod: reviews has a waypoint of its own
    expect(named('clusters/prod/default', 'Gateway')).toEqual(['bookinfo-gateway', 'reviews-waypoint', 'waypoint']);
    expect(objects('clusters/prod/default').find((m) => m.kind === 'Service' && m.metadata.name === 'reviews').metadata.labels['istio.io/use-waypoint']).toBe('reviews-waypoint');
    // another credential source in prod: vault placeholders, and the vault plugin for prod's vault folder only
    const prodTexts = Object.entries(fileTree(path.join(DIST, 'clusters/prod'))).filter(([f]) => f.includes('WasmPlugin')).map(([, t]) => t);
    expect(prodTexts.every((t) => t.includes('<path:secret/data/prod/bookinfo#') && !t.includes('ok:test'))).toBe(true);
    const sets = objects('argocd').filter((m) => m.kind === 'ApplicationSet');
    const vaultFolders = (s: any) => [...(/^\{\{- if eq \.path\.basename (.*) \}\}\n/.exec(s.spec.templatePatch ?? '')?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(sets.map((s) => [s.metadata.name, s.spec.template.spec.source.plugin?.name ?? null, vaultFolders(s), s.spec.template.spec.destination])).toEqual([
      ['cdk8s-istio-ambient-dev', null, [], { namespace: '{{.path.basename}}', server: 'https://kubernetes.default.svc' }],
      ['cdk8s-istio-ambient-prod', null, ['default'], { name: 'prod-eu-west-1', namespace: '{{.path.basename}}' }],
      ['cdk8s-istio-ambient-staging', null, [], { namespace: '{{.path.basename}}', server: 'https://staging.k8s.example.com:6443' }],
    ]);
    for (const s of sets) expect(fs.existsSync(path.join(DIST, '..', '..', '..', s.spec.generators[0].git.directories[0].path.replace('/*', '')))).toBe(true);
  });

  test('each cluster answers as its own mesh', () => {
    const get = (cluster: string, url: string, user?: string) => loadSimulator([DIST], { cluster })
      .simulate({ from: 'default/curl', url, headers: user ? [['Authorization', `Basic ${Buffer.from(user).toString('base64')}`]] : [] }).status;
    expect(get('dev', 'http://details:9080/details/0')).toBe(200);
    expect(get('staging', 'http://details:9080/details/0')).toBe(401);
    expect(get('staging', 'http://details:9080/details/0', 'ok:test')).toBe(200);
    expect(get('prod', 'http://productpage:9080/productpage')).toBe(401);
    // prod's credential lives in the vault: the manifests cannot decide whether ok:test is it
    expect(get('prod', 'http://productpage:9080/productpage', 'ok:test')).toBe('unknown');
  });

  test('analyze reads it cluster by cluster, as docs/fleet.md shows', async () => {
    const page = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'fleet.md'), 'utf8');
    for (const args of [['analyze', 'examples/fleet/dist', '-q'], ['analyze', '--cluster', 'prod', 'examples/fleet/dist']]) {
      const r = await cli(...args);
      expect(r.code).toBe(0);
      expect(page).toContain(`npx cdk8s-istio-ambient ${args.join(' ')}\n  # ${r.output.trimEnd()}\n`);
    }
  });

  (hasKubectl() ? test.each(appFolders) : test.skip.each(appFolders))('kubectl kustomize renders %s', (folder) => {
    const out = execFileSync('kubectl', ['kustomize', path.join(DIST, folder)], { encoding: 'utf8' });
    const rendered = YAML.parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
    expect(rendered).toHaveLength(fs.readdirSync(path.join(DIST, folder)).filter((f) => f.endsWith('.k8s.yaml')).length);
  });
});

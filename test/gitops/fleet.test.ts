// GitOpsApp with clusters: one tree per cluster, Argo CD objects per cluster, each cluster's mesh checked on its own.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import {
  AmbientNamespace, ArgoCdAppMode, ArgoCdProps, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, Bookinfo, Cluster, ClusterOptions, GitOpsApp,
  HttpMethod, PathMatch, PolicyTarget, SeedScenario, WaypointNamespaces,
} from '../../src';
import * as rules from '../../src/rules';
import { fileTree } from '../support';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
const ARGO: ArgoCdProps = { repoUrl: 'https://git.example.com/mesh.git', createProject: true, project: 'mesh' };
const CLUSTERS: ClusterOptions[] = [
  { name: 'dev', server: 'https://kubernetes.default.svc', labels: { env: 'dev' } },
  { name: 'staging', server: 'https://staging.k8s.example.com:6443', labels: { env: 'staging' } },
  { name: 'prod', argoCdName: 'prod-eu-west-1', labels: { env: 'prod', region: 'eu' } },
];

/** Every file under `dir` (relative path → content), but the writer's record (test/gitops/writer.test.ts has it). */
const tree = (dir: string) => fileTree(dir, [GitOpsApp.RECORD_FILE_NAME]);

const doc = (dir: string, file: string): any => YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));

/** The seed in every cluster, a staging-only plugin, and vault credentials in prod. */
function fleet(outdir: string, options: { clusters?: ClusterOptions[]; argoCd?: ArgoCdProps } = {}): GitOpsApp {
  const app = new GitOpsApp({ outdir, argoCd: options.argoCd ?? ARGO, clusters: options.clusters ?? CLUSTERS });
  for (const cluster of app.clusters) {
    const shop = new SeedScenario(cluster, 'default');
    if (cluster.labels.env === 'staging') {
      new BasicAuthPlugin(shop, 'DetailsAuth', {
        name: 'basic-auth-for-details', targets: [PolicyTarget.fromService(shop.bookinfo.details)],
        rules: [new BasicAuthRule({ match: PathMatch.prefix('/details'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('ok', 'test')] })],
      });
    }
    if (cluster.labels.env === 'prod') {
      const admin = new AmbientNamespace(cluster, 'admin');
      new BasicAuthPlugin(admin, 'Auth', {
        name: 'admin-auth', targets: [admin.addWaypoint()],
        rules: [new BasicAuthRule({ match: PathMatch.prefix('/'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.vault('secret/data/prod/admin', 'auth')] })],
      });
    }
  }
  return app;
}

describe('GitOpsApp with clusters', () => {
  test('writes one tree per cluster, clusters/<cluster>/<folder>/, each with its kustomization', () => {
    const outdir = tmp();
    fleet(outdir).synth();
    const files = Object.keys(tree(outdir));
    const folders = [...new Set(files.map((f) => path.dirname(f)))].sort();
    expect(folders).toEqual(['argocd', 'clusters/dev/default', 'clusters/prod/admin', 'clusters/prod/default', 'clusters/staging/default']);
    // the same seed objects in each cluster, the staging plugin only in staging
    const seedFiles = (c: string) => files.filter((f) => f.startsWith(`clusters/${c}/default/`)).map((f) => path.basename(f));
    expect(seedFiles('staging').filter((f) => !seedFiles('dev').includes(f))).toEqual(['WasmPlugin.basic-auth-for-details.k8s.yaml']);
    expect(seedFiles('prod')).toEqual(seedFiles('dev'));
    for (const folder of folders) {
      const k = doc(outdir, `${folder}/kustomization.yaml`);
      expect(k.resources).toEqual(files.filter((f) => path.dirname(f) === folder && f.endsWith('.k8s.yaml')).map((f) => path.basename(f)).sort());
    }
    // an object's file is byte for byte the single-cluster one
    const single = tmp();
    const one = new GitOpsApp({ outdir: single, argoCd: ARGO });
    new SeedScenario(one, 'default');
    one.synth();
    expect(tree(outdir)['clusters/dev/default/WasmPlugin.basic-auth-at-waypoint.k8s.yaml']).toBe(tree(single)['default/WasmPlugin.basic-auth-at-waypoint.k8s.yaml']);
  });

  test('one ApplicationSet per cluster: its folders only, its destination, its labels, cluster-prefixed names', () => {
    const outdir = tmp();
    fleet(outdir).synth();
    const argo = Object.keys(tree(outdir)).filter((f) => f.startsWith('argocd/')).sort();
    expect(argo).toEqual([
      'argocd/AppProject.mesh.k8s.yaml', 'argocd/ApplicationSet.cdk8s-istio-ambient-dev.k8s.yaml', 'argocd/ApplicationSet.cdk8s-istio-ambient-prod.k8s.yaml',
      'argocd/ApplicationSet.cdk8s-istio-ambient-staging.k8s.yaml', 'argocd/kustomization.yaml',
    ]);
    const prod = doc(outdir, 'argocd/ApplicationSet.cdk8s-istio-ambient-prod.k8s.yaml');
    expect(prod.metadata).toEqual({ name: 'cdk8s-istio-ambient-prod', namespace: 'argocd', labels: { env: 'prod', region: 'eu' } });
    expect(prod.spec.generators).toEqual([{ git: { repoURL: ARGO.repoUrl, revision: 'HEAD', directories: [{ path: 'dist/clusters/prod/*' }] } }]);
    expect(prod.spec.template.metadata).toEqual({ name: 'prod-{{.path.basenameNormalized}}', labels: { env: 'prod', region: 'eu' } });
    expect(prod.spec.template.spec.destination).toEqual({ name: 'prod-eu-west-1', namespace: '{{.path.basename}}' });
    // prod's admin folder holds a vault placeholder: that folder's Application alone renders through the plugin
    // (a templatePatch naming it); staging has none, so no patch
    expect(prod.spec.template.spec.source.plugin).toBeUndefined();
    expect(prod.spec.templatePatch).toMatch(/^\{\{- if eq \.path\.basename "admin" \}\}\nspec:\n  source:\n    plugin:\n      name: "argocd-vault-plugin-kustomize"\n/);
    expect(doc(outdir, 'argocd/ApplicationSet.cdk8s-istio-ambient-staging.k8s.yaml').spec.templatePatch).toBeUndefined();
    const staging = doc(outdir, 'argocd/ApplicationSet.cdk8s-istio-ambient-staging.k8s.yaml');
    expect(staging.spec.template.spec.destination).toEqual({ server: 'https://staging.k8s.example.com:6443', namespace: '{{.path.basename}}' });
    expect(staging.spec.template.spec.source.plugin).toBeUndefined();
    expect(staging.spec.template.spec.syncPolicy).toEqual({ automated: { prune: true, selfHeal: true } });
    // every generator path is a folder of the tree, and it matches exactly its cluster's application folders
    for (const c of CLUSTERS) {
      const set = doc(outdir, `argocd/ApplicationSet.cdk8s-istio-ambient-${c.name}.k8s.yaml`);
      const dir = set.spec.generators[0].git.directories[0].path.replace(/^dist\//, '').replace(/\/\*$/, '');
      expect(fs.readdirSync(path.join(outdir, dir)).sort()).toEqual(c.name === 'prod' ? ['admin', 'default'] : ['default']);
    }
  });

  test('the AppProject allows each cluster exactly the namespaces deployed there', () => {
    const outdir = tmp();
    fleet(outdir).synth();
    expect(doc(outdir, 'argocd/AppProject.mesh.k8s.yaml').spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'default' },
      { server: 'https://staging.k8s.example.com:6443', namespace: 'default' },
      { name: 'prod-eu-west-1', namespace: 'admin' },
      { name: 'prod-eu-west-1', namespace: 'default' },
    ]);
  });

  test('Applications mode: one per cluster and folder, unique names, waves decided within the cluster', () => {
    const outdir = tmp();
    const app = new GitOpsApp({ outdir, argoCd: { ...ARGO, mode: ArgoCdAppMode.APPLICATIONS }, clusters: CLUSTERS.slice(0, 2) });
    const [dev, staging] = app.clusters;
    new SeedScenario(dev, 'default');
    // in staging, "default" uses a waypoint of namespace "infra": infra's Application syncs first there only
    const infra = new AmbientNamespace(staging, 'infra');
    const shared = infra.addWaypoint('Waypoint', { enrollNamespace: false, allowedNamespaces: WaypointNamespaces.ALL });
    const shop = new AmbientNamespace(staging, 'default');
    new Bookinfo(shop, 'Bookinfo');
    shop.useWaypoint(shared);
    app.synth();
    const apps = Object.keys(tree(outdir)).filter((f) => f.startsWith('argocd/Application.')).sort();
    expect(apps).toEqual(['argocd/Application.dev-default.k8s.yaml', 'argocd/Application.staging-default.k8s.yaml', 'argocd/Application.staging-infra.k8s.yaml']);
    const infraApp = doc(outdir, 'argocd/Application.staging-infra.k8s.yaml');
    expect(infraApp.metadata).toMatchObject({ name: 'staging-infra', labels: { env: 'staging' }, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } });
    expect(infraApp.spec.source.path).toBe('dist/clusters/staging/infra');
    expect(infraApp.spec.destination).toEqual({ server: 'https://staging.k8s.example.com:6443', namespace: 'infra' });
    expect(doc(outdir, 'argocd/Application.staging-default.k8s.yaml').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
    expect(doc(outdir, 'argocd/Application.dev-default.k8s.yaml').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
    for (const f of apps) expect(fs.existsSync(path.join(outdir, doc(outdir, f).spec.source.path.replace(/^dist\//, ''), 'kustomization.yaml'))).toBe(true);
  });

  test('never checks two clusters together: a plugin whose target exists only in another cluster fails synth', () => {
    // GIVEN a plugin in dev targeting Service "reviews", which only staging has
    const build = (clusters: boolean) => {
      const app = new GitOpsApp({ outdir: tmp(), argoCd: ARGO, ...(clusters ? { clusters: CLUSTERS.slice(0, 2) } : {}) });
      const [a, b] = clusters ? app.clusters : [app, app];
      const inA = new AmbientNamespace(a, clusters ? 'default' : 'default', {});
      inA.addWaypoint();
      new BasicAuthPlugin(inA, 'ReviewsAuth', {
        name: 'reviews-auth', targets: [PolicyTarget.service('reviews')],
        rules: [new BasicAuthRule({ match: PathMatch.prefix('/'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('ok', 'test')] })],
      });
      const inB = clusters ? new AmbientNamespace(b, 'default') : inA;
      if (clusters) inB.addWaypoint();
      new Bookinfo(inB, 'Bookinfo');
      return app;
    };
    // WHEN both are in one cluster THEN the plugin finds its target
    expect(() => build(false).synth()).not.toThrow();
    // WHEN they are in two clusters THEN dev's plugin has no target in dev
    expect(() => build(true).synth()).toThrow(/\[dev\/default\/ReviewsAuth\] WASM006 WasmPlugin default\/reviews-auth .*"reviews"/);
  });

  test('runs the rule set once per cluster and every validation once', () => {
    const app = fleet(tmp());
    const counts = new Map<string, number>();
    for (const c of app.node.findAll()) {
      c.node.addValidation({ validate: () => { counts.set(c.node.path, (counts.get(c.node.path) ?? 0) + 1); return []; } });
    }
    const total = app.node.findAll().length;
    const runs = jest.spyOn(rules, 'runRules');
    try {
      app.synth();
      expect(runs).toHaveBeenCalledTimes(3);
      // each run saw the objects of one cluster only (by construct path), staging's extra plugin, prod's admin namespace
      const seen = runs.mock.calls.map(([m]) => ({
        clusters: [...new Set(m.entries.map((e) => e.origin.split('/')[0]))],
        objects: m.entries.length,
      })).sort((x, y) => (x.clusters[0] < y.clusters[0] ? -1 : 1));
      const dev = seen[0].objects;
      expect(seen).toEqual([
        { clusters: ['dev'], objects: dev },
        { clusters: ['prod'], objects: dev + 3 }, // Namespace, waypoint and plugin of "admin"
        { clusters: ['staging'], objects: dev + 1 },
      ]);
    } finally {
      runs.mockRestore();
    }
    expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);
    expect(counts.size).toBe(total);
  });

  test('removing a cluster removes exactly its files and its ApplicationSet, and leaves the rest untouched', () => {
    // GIVEN a synthesized fleet and a file of the user's
    const outdir = tmp();
    fleet(outdir).synth();
    const before = tree(outdir);
    fs.writeFileSync(path.join(outdir, 'README.md'), 'mine');
    const devFile = path.join(outdir, 'clusters/dev/default/Deployment.curl.k8s.yaml');
    const mtime = fs.statSync(devFile).mtimeMs;

    // WHEN staging leaves the program
    const app = fleet(outdir, { clusters: CLUSTERS.filter((c) => c.name !== 'staging') });
    app.synth();

    // THEN its tree and its ApplicationSet are gone, the project no longer names it, and nothing else changed
    const after = tree(outdir);
    const gone = Object.keys(before).filter((f) => !(f in after)).sort();
    expect(gone).toEqual(Object.keys(before).filter((f) => f.startsWith('clusters/staging/') || f === 'argocd/ApplicationSet.cdk8s-istio-ambient-staging.k8s.yaml').sort());
    expect(fs.existsSync(path.join(outdir, 'clusters/staging'))).toBe(false);
    const changed = Object.keys(after).filter((f) => f in before && after[f] !== before[f]).sort();
    expect(changed).toEqual(['argocd/AppProject.mesh.k8s.yaml', 'argocd/kustomization.yaml']);
    expect(after['README.md']).toBe('mine');
    expect(app.lastSynth).toMatchObject({ filesRemoved: gone.length, filesWritten: 2 });
    expect(fs.statSync(devFile).mtimeMs).toBe(mtime);
    expect(doc(outdir, 'argocd/AppProject.mesh.k8s.yaml').spec.destinations.map((d: any) => d.server ?? d.name)).not.toContain('https://staging.k8s.example.com:6443');
  });

  test('synthesizes byte for byte the same tree twice', () => {
    const a = tmp();
    const b = tmp();
    fleet(a).synth();
    fleet(b).synth();
    expect(tree(a)).toEqual(tree(b));
  });

  test('a cluster with nothing in it gets no ApplicationSet; charts may nest below a cluster', () => {
    const outdir = tmp();
    const app = new GitOpsApp({ outdir, argoCd: ARGO, clusters: CLUSTERS.slice(0, 2) });
    const group = new Construct(app.clusters[0], 'Team');
    const chart = new Chart(group, 'Config', { namespace: 'config' });
    new ApiObject(chart, 'Map', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
    app.synth();
    expect(Object.keys(tree(outdir)).sort()).toEqual([
      'argocd/AppProject.mesh.k8s.yaml', 'argocd/ApplicationSet.cdk8s-istio-ambient-dev.k8s.yaml', 'argocd/kustomization.yaml',
      'clusters/dev/dev-team-config-c8da9545/ConfigMap.settings.k8s.yaml', 'clusters/dev/dev-team-config-c8da9545/kustomization.yaml',
    ]);
  });

  test('clusters can be added after construction, and Cluster.of finds the cluster of a construct', () => {
    const app = new GitOpsApp({ outdir: tmp() });
    expect(app.clusters).toEqual([]);
    const eu = app.addCluster({ name: 'eu', argoCdName: 'eu' });
    const ns = new AmbientNamespace(eu, 'shop');
    expect(Cluster.of(ns)?.name).toBe('eu');
    expect(Cluster.of(app)).toBeUndefined();
    expect(Cluster.isCluster(eu)).toBe(true);
    expect(app.clusters.map((c) => c.name)).toEqual(['eu']);
    // getters hand out copies
    eu.labels.env = 'x';
    expect(eu.labels).toEqual({});
  });

  test('fails on clusters Argo CD could not tell apart or reach, naming the cluster, the field and the fix', () => {
    const make = (clusters: ClusterOptions[], argoCd: ArgoCdProps = ARGO) => () => new GitOpsApp({ argoCd, clusters });
    expect(make([{ name: 'Prod', server: 'https://a' }])).toThrow(/clusters\["Prod"\]: name: must be a lowercase RFC 1123 label .*\(got "Prod"\)/);
    expect(make([{ name: 'a' }])).toThrow(/clusters\["a"\]: server\/argoCdName: set exactly one \(got neither\)/);
    expect(make([{ name: 'a', server: 'https://a', argoCdName: 'a' }])).toThrow(/set exactly one \(got both\)/);
    expect(make([{ name: 'a', server: 'kubernetes.default.svc' }])).toThrow(/clusters\["a"\]: server: must be an http\(s\) URL \(got "kubernetes.default.svc"\)/);
    expect(make([{ name: 'a', server: 'https://a', labels: { env: 'prod eu' } }])).toThrow(/clusters\["a"\]: labels\["env"\]: the value must be .*\(got "prod eu"\)/);
    expect(make([{ name: 'a', server: 'https://a', labels: { 'Bad_/x': 'y' } }])).toThrow(/labels\["Bad_\/x"\]: the key prefix must be a lowercase DNS subdomain/);
    expect(make([{ name: 'a', server: 'https://a' }, { name: 'a', server: 'https://b' }])).toThrow(/clusters\["a"\]: name: a cluster of that name exists already/);
    expect(make([{ name: 'a', server: 'https://a' }, { name: 'b', server: 'https://a' }])).toThrow(/clusters\["b"\]: server: cluster "a" deploys there already \(got "https:\/\/a"\)/);
    expect(make([{ name: 'argocd', server: 'https://a' }])).toThrow(/clusters\["argocd"\]: name: is also the name of the Argo CD folder/);
    expect(make([{ name: 'a', server: 'https://a' }], { ...ARGO, destinationServer: 'https://x' })).toThrow(/argoCd\.destinationServer: not used in a fleet/);
    expect(make([{ name: 'a', server: 'https://a' }], { ...ARGO, folder: 'clusters' })).toThrow(/argoCd\.folder: a fleet keeps its cluster trees in "clusters"\//);
    expect(() => new Cluster(new Chart(new GitOpsApp(), 'c'), 'x', { server: 'https://x' })).toThrow(/a Cluster must be created directly in a GitOpsApp \(got a scope at "c"\)/);
  });

  test('fails on a chart outside every cluster, and on two Applications of one name', () => {
    const app = new GitOpsApp({ outdir: tmp(), argoCd: ARGO, clusters: CLUSTERS.slice(0, 1) });
    new AmbientNamespace(app, 'loose');
    expect(() => app.synth()).toThrow(/GitOpsApp: loose: this chart is in no cluster, and the app has clusters \(dev\); .*create it in a cluster/);

    const clash = new GitOpsApp({ outdir: tmp(), argoCd: ARGO, clusters: [{ name: 'a-b', server: 'https://1' }, { name: 'a', server: 'https://2' }] });
    new AmbientNamespace(clash.clusters[0], 'c');
    new AmbientNamespace(clash.clusters[1], 'b-c');
    expect(() => clash.synth()).toThrow(/GitOpsApp: a\/b-c: its Argo CD Application would be named "a-b-c", as the one of folder "clusters\/a-b\/c"; rename a cluster or one of the folders/);
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Lazy, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import * as YAML from 'yaml';
import {
  AmbientNamespace, ArgoCdAppMode, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, Bookinfo, ExtensionResource, FilterConfig, GitOpsApp, GitOpsAppProps,
  HttpMethod, NamespacePruning, PathMatch, PolicyTarget, SeedScenario, SyncWaves, TrafficExtension, WaypointNamespaces,
} from '../../src';
import * as rules from '../../src/rules';
import { annotateForArgoCd } from '../../src/gitops/sync-policy';
import { fileTree } from '../support';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-'));
const ARGO = { repoUrl: 'https://git.example.com/mesh.git' };

/** Every file under `dir` (relative path → content). */
const tree = (dir: string) => fileTree(dir);

function docs(dir: string, file: string): any {
  return YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
}

function rule(prefix: string, credential = BasicAuthCredential.plain('ok', 'test')): BasicAuthRule {
  return new BasicAuthRule({ match: PathMatch.prefix(prefix), methods: [HttpMethod.GET], credentials: [credential] });
}

/** A mixed app: ambient namespaces with our constructs, and a plain chart with cdk8s-plus, Lazy values and patches. */
function mixed(app: App): void {
  for (const name of ['shop', 'blog']) {
    const ns = new AmbientNamespace(app, name);
    const bookinfo = new Bookinfo(ns, 'Bookinfo');
    const waypoint = ns.addWaypoint();
    new BasicAuthPlugin(ns, 'AtWaypoint', { name: 'at-waypoint', targets: [waypoint], rules: [rule('/productpage')] });
    new BasicAuthPlugin(ns, 'ForReviews', { name: 'for-reviews', targets: [PolicyTarget.fromService(bookinfo.reviews)], rules: [rule('/reviews')] });
  }
  const infra = new Chart(app, 'infra', { namespace: 'infra' });
  new kplus.Deployment(infra, 'Web', { containers: [{ image: 'nginx:1.27', portNumber: 80 }] });
  const cm = new ApiObject(infra, 'Config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config' }, data: { at: Lazy.any({ produce: () => 'synth' }) } });
  cm.addJsonPatch(JsonPatch.add('/data/patched', 'yes'));
}

describe('GitOpsApp', () => {
  test('writes, folder for folder, the bytes cdk8s itself writes for the same charts', () => {
    // GIVEN the same charts in our app and in a plain cdk8s App with the same annotations
    const ours = tmp();
    const theirs = tmp();
    const app = new GitOpsApp({ outdir: ours });
    mixed(app);
    const plain = new App({ outdir: theirs, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    mixed(plain);
    for (const c of plain.node.findAll()) if (ApiObject.isApiObject(c)) annotateForArgoCd(c);

    // WHEN
    app.synth();
    plain.synth();

    // THEN every object file is identical; ours adds one kustomization.yaml per folder
    const a = tree(ours);
    const b = tree(theirs);
    expect(Object.keys(b)).toHaveLength(38); // 2 namespaces x 18 objects, and 2 in infra
    for (const [file, content] of Object.entries(b)) expect(a[file]).toBe(content);
    expect(Object.keys(a).filter((f) => !(f in b)).sort()).toEqual([GitOpsApp.RECORD_FILE_NAME, 'blog/kustomization.yaml', 'infra/kustomization.yaml', 'shop/kustomization.yaml']);
    // and the record lists exactly the files written, in order
    const record = a[GitOpsApp.RECORD_FILE_NAME].split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(record).toEqual(Object.keys(a).filter((f) => f !== GitOpsApp.RECORD_FILE_NAME).sort());
  });

  test('runs every construct validation exactly once, and the rule set once', () => {
    const app = new GitOpsApp({ outdir: tmp() });
    mixed(app);
    const counts = new Map<string, number>();
    for (const c of app.node.findAll()) {
      c.node.addValidation({ validate: () => { counts.set(c.node.path, (counts.get(c.node.path) ?? 0) + 1); return []; } });
    }
    const runs = jest.spyOn(rules, 'runRules');
    try {
      app.synth();
      expect(runs).toHaveBeenCalledTimes(1);
    } finally {
      runs.mockRestore();
    }
    expect(counts.size).toBe(app.node.findAll().length);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  test('a re-synth rewrites only what changed, removes what is gone and keeps files it does not own', () => {
    // GIVEN a first synth, and a file of the user's
    const outdir = tmp();
    const build = (credential: string, withBlogPlugin: boolean) => {
      const app = new GitOpsApp({ outdir, argoCd: ARGO });
      for (const name of ['shop', 'blog']) {
        const ns = new AmbientNamespace(app, name);
        new Bookinfo(ns, 'Bookinfo');
        const waypoint = ns.addWaypoint();
        if (name === 'shop' || withBlogPlugin) {
          new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [waypoint], rules: [rule('/', BasicAuthCredential.plain('ok', name === 'shop' ? credential : 'x'))] });
        }
      }
      app.synth();
      return app.lastSynth!;
    };
    const first = build('one', true);
    fs.writeFileSync(path.join(outdir, 'README.md'), 'mine');
    const before = fs.statSync(path.join(outdir, 'blog', 'Namespace.blog.k8s.yaml')).mtimeMs;

    // WHEN one namespace changes, THEN exactly its plugin file is rewritten
    const second = build('two', true);
    expect(first.filesWritten).toBe(Object.keys(tree(outdir)).length - 2); // all but the user's README and the record
    expect(second).toMatchObject({ filesWritten: 1, filesRemoved: 0, filesUnchanged: first.filesWritten - 1 });
    expect(fs.statSync(path.join(outdir, 'blog', 'Namespace.blog.k8s.yaml')).mtimeMs).toBe(before);

    // WHEN a construct is removed, THEN its file goes and its folder's kustomization is rewritten
    const third = build('two', false);
    expect(third).toMatchObject({ filesWritten: 1, filesRemoved: 1 });
    expect(fs.existsSync(path.join(outdir, 'blog', 'WasmPlugin.auth.k8s.yaml'))).toBe(false);
    expect(docs(outdir, 'blog/kustomization.yaml').resources).not.toContain('WasmPlugin.auth.k8s.yaml');
    expect(fs.readFileSync(path.join(outdir, 'README.md'), 'utf8')).toBe('mine');
  });

  test('fails like cdk8s, naming the construct path, and writes nothing', () => {
    // GIVEN an existing tree
    const outdir = tmp();
    const good = new GitOpsApp({ outdir });
    new SeedScenario(good, 'default');
    good.synth();
    const before = tree(outdir);

    // WHEN a plugin targets a Service no waypoint serves
    const app = new GitOpsApp({ outdir });
    const ns = new AmbientNamespace(app, 'default');
    new Bookinfo(ns, 'Bookinfo');
    new BasicAuthPlugin(ns, 'CartAuth', { name: 'cart-auth', targets: [PolicyTarget.service('reviews')], rules: [rule('/reviews')] });
    // AND a chart whose folder is new (its files are staged before the rules run)
    const extra = new Chart(app, 'extra');
    new ApiObject(extra, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });

    // THEN
    expect(() => app.synth()).toThrow(/^Validation failed with the following errors:\n {2}\[default\/CartAuth\] WASM009 WasmPlugin default\/cart-auth .*spec\.targetRefs\[0\]\.name.*"reviews"/);
    // AND nothing staged is left: every file as it was, no temporary file or folder
    expect(tree(outdir)).toEqual(before);
    expect(fs.readdirSync(outdir).sort()).toEqual(Object.keys(before).map((f) => f.split('/')[0]).filter((f, i, a) => a.indexOf(f) === i).sort());
  });

  test('fails when two charts would share a folder, or two objects a file', () => {
    const app = new GitOpsApp({ outdir: tmp() });
    new AmbientNamespace(app, 'One', { name: 'shop' });
    new AmbientNamespace(app, 'Two', { name: 'shop' });
    expect(() => app.synth()).toThrow(/GitOpsApp: Two: its folder "shop" is also the folder of One; rename one of them/);

    const app2 = new GitOpsApp({ outdir: tmp() });
    const chart = new Chart(app2, 'c');
    new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'a' } });
    new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'b' } });
    expect(() => app2.synth()).toThrow(/c\/b and c\/a would both be written to c\/ConfigMap\.x\.k8s\.yaml/);
  });

  test('fails on a layout other than folder per chart', () => {
    expect(() => new GitOpsApp({ yamlOutputType: YamlOutputType.FILE_PER_CHART })).toThrow(/yamlOutputType: .*"FILE_PER_CHART"/);
  });
});

describe('Argo CD annotations', () => {
  function synthShop(props: GitOpsAppProps = {}, extend?: (ns: AmbientNamespace) => void) {
    const outdir = tmp();
    const app = new GitOpsApp({ outdir, ...props });
    const ns = new AmbientNamespace(app, 'shop');
    new Bookinfo(ns, 'Bookinfo');
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [ns.addWaypoint()], rules: [rule('/')] });
    extend?.(ns);
    app.synth();
    return (file: string) => docs(outdir, `shop/${file}`).metadata.annotations ?? {};
  }
  const WAVE = 'argocd.argoproj.io/sync-wave';
  const OPTS = 'argocd.argoproj.io/sync-options';

  test('order the namespace, workloads, gateways, routes and plugins in waves', () => {
    const a = synthShop();
    expect(a('Namespace.shop.k8s.yaml')[WAVE]).toBe('-2');
    expect(a('Service.reviews.k8s.yaml')[WAVE]).toBe('-1');
    expect(a('Deployment.reviews-v1.k8s.yaml')[WAVE]).toBe('-1');
    expect(a('Gateway.waypoint.k8s.yaml')[WAVE]).toBe('0');
    expect(a('WasmPlugin.auth.k8s.yaml')[WAVE]).toBe('2');
  });

  test('let CRD kinds skip the dry run and protect the Namespace from prune', () => {
    const a = synthShop();
    expect(a('Gateway.waypoint.k8s.yaml')[OPTS]).toBe('SkipDryRunOnMissingResource=true');
    expect(a('WasmPlugin.auth.k8s.yaml')[OPTS]).toBe('SkipDryRunOnMissingResource=true');
    expect(a('Namespace.shop.k8s.yaml')[OPTS]).toBe('Prune=false');
    expect(a('Service.reviews.k8s.yaml')[OPTS]).toBeUndefined();
    expect(synthShop({ namespacePruning: NamespacePruning.CONFIRM })('Namespace.shop.k8s.yaml')[OPTS]).toBe('Prune=confirm');
  });

  test('give a TrafficExtension the same wave and dry-run option as a WasmPlugin', () => {
    const a = synthShop({}, (ns) => {
      new TrafficExtension(ns, 'Lua', { name: 'lua', targets: [PolicyTarget.gateway('waypoint')],
        filterConfig: FilterConfig.lua('function envoy_on_request(h) h:headers():add("x-a", "1") end') });
      new BasicAuthPlugin(ns, 'AuthTe', { name: 'auth-te', targets: [PolicyTarget.gateway('waypoint')], rules: [rule('/')], resource: ExtensionResource.TRAFFIC_EXTENSION });
    });
    for (const f of ['TrafficExtension.lua.k8s.yaml', 'TrafficExtension.auth-te.k8s.yaml']) {
      expect(a(f)[WAVE]).toBe(String(SyncWaves.POLICIES));
      expect(a(f)[OPTS]).toBe('SkipDryRunOnMissingResource=true');
    }
  });

  test('keep a wave and sync options the user set', () => {
    const a = synthShop({}, (ns) => {
      new ApiObject(ns, 'Cfg', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', annotations: { [WAVE]: '5' } } });
      ns.apiObject.metadata.addAnnotation(OPTS, 'Prune=confirm,Delete=false');
    });
    expect(a('ConfigMap.cfg.k8s.yaml')[WAVE]).toBe('5');
    expect(a('Namespace.shop.k8s.yaml')[OPTS]).toBe('Prune=confirm,Delete=false');
  });

  test('can be turned off', () => {
    expect(synthShop({ argoCdAnnotations: false })('WasmPlugin.auth.k8s.yaml')).toEqual({});
  });
});

describe('Argo CD objects', () => {
  function synthArgo(props: Partial<GitOpsAppProps['argoCd']> & object, build?: (app: GitOpsApp) => void) {
    const outdir = tmp();
    const app = new GitOpsApp({ outdir, argoCd: { ...ARGO, ...props } });
    if (build) build(app); else new SeedScenario(app, 'default');
    app.synth();
    return { outdir, files: tree(outdir), doc: (f: string) => docs(outdir, f) };
  }

  test('an ApplicationSet generates one Application per application folder, excluding its own', () => {
    const { doc, files } = synthArgo({ targetRevision: 'main', project: 'mesh' });
    const set = doc('argocd/ApplicationSet.cdk8s-istio-ambient.k8s.yaml');
    expect(set.metadata.namespace).toBe('argocd');
    expect(set.spec.generators[0].git).toEqual({
      repoURL: ARGO.repoUrl, revision: 'main', directories: [{ path: 'dist/*' }, { path: 'dist/argocd', exclude: true }],
    });
    expect(set.spec.template.spec).toEqual({
      project: 'mesh',
      source: { repoURL: ARGO.repoUrl, targetRevision: 'main', path: '{{.path.path}}' },
      destination: { server: 'https://kubernetes.default.svc', namespace: '{{.path.basename}}' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
    expect(doc('argocd/kustomization.yaml').resources).toEqual(['ApplicationSet.cdk8s-istio-ambient.k8s.yaml']);
    expect(Object.keys(files).filter((f) => f.endsWith('kustomization.yaml')).sort()).toEqual(['argocd/kustomization.yaml', 'default/kustomization.yaml']);
  });

  test('Applications mode: one per folder, paths that exist, a shared waypoint\'s namespace first', () => {
    const { doc, files } = synthArgo({ mode: ArgoCdAppMode.APPLICATIONS, path: 'clusters/prod', serverSideApply: true, cascadeDelete: true }, (app) => {
      const infra = new AmbientNamespace(app, 'infra');
      const shared = infra.addWaypoint('Waypoint', { enrollNamespace: false, allowedNamespaces: WaypointNamespaces.ALL });
      const shop = new AmbientNamespace(app, 'shop');
      shop.useWaypoint(shared);
      new Bookinfo(shop, 'Bookinfo');
    });
    for (const name of ['infra', 'shop']) {
      const a = doc(`argocd/Application.${name}.k8s.yaml`);
      expect(a.spec.source.path).toBe(`clusters/prod/${name}`);
      expect(files[`${name}/kustomization.yaml`]).toBeDefined();
      expect(a.spec.destination.namespace).toBe(name);
      expect(a.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true']);
      expect(a.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    }
    expect(doc('argocd/Application.infra.k8s.yaml').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    expect(doc('argocd/Application.shop.k8s.yaml').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
  });

  test('an AppProject allows exactly this repository, the namespaces deployed to, and Namespace objects', () => {
    const { doc } = synthArgo({ createProject: true, project: 'bookinfo' });
    expect(doc('argocd/AppProject.bookinfo.k8s.yaml').spec).toEqual({
      description: 'Applications synthesized by cdk8s-istio-ambient',
      sourceRepos: [ARGO.repoUrl],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'default' }],
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
    });
  });

  test('vault placeholders keep the credential out of Git and switch the Application to the vault plugin', () => {
    const { doc, files } = synthArgo({ mode: ArgoCdAppMode.APPLICATIONS }, (app) => {
      const shop = new AmbientNamespace(app, 'shop');
      new BasicAuthPlugin(shop, 'Auth', { name: 'auth', targets: [shop.addWaypoint()], rules: [rule('/', BasicAuthCredential.vault('secret/data/shop', 'basic'))] });
      new AmbientNamespace(app, 'blog').addWaypoint();
    });
    expect(doc('shop/WasmPlugin.auth.k8s.yaml').spec.pluginConfig.basic_auth_rules[0].credentials).toEqual(['<path:secret/data/shop#basic>']);
    expect(doc('argocd/Application.shop.k8s.yaml').spec.source.plugin).toEqual({ name: 'argocd-vault-plugin-kustomize' });
    expect(doc('argocd/Application.blog.k8s.yaml').spec.source.plugin).toBeUndefined();
    expect(Object.values(files).join()).not.toMatch(/ok:test/);
  });

  /**
   * The Application Argo CD makes for one folder: the template with the folder's parameters, then the templatePatch
   * rendered for that folder and merged in (maps merge recursively, as a strategic merge patch does for these
   * fields). Only the two Go template forms the patch uses are evaluated: `if eq .path.basename "a" "b" ...` and `else`.
   */
  function applicationFor(set: any, folder: string): any {
    const fill = (v: any): any => (typeof v === 'string' ? v.replace('{{.path.path}}', `dist/${folder}`).replace('{{.path.basename}}', folder)
      : Array.isArray(v) ? v.map(fill) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)])) : v);
    const app = fill(set.spec.template);
    const patch: string | undefined = set.spec.templatePatch;
    if (patch === undefined) return app;
    const [head, ...rest] = patch.split('\n');
    const m = /^\{\{- if eq \.path\.basename ((?:"[^"]*" ?)+) \}\}$/.exec(head);
    expect(m).not.toBeNull();
    const names = [...m![1].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
    const elseAt = rest.indexOf('{{- else }}');
    const endAt = rest.indexOf('{{- end }}');
    const body = names.includes(folder) ? rest.slice(0, elseAt) : rest.slice(elseAt + 1, endAt);
    const merge = (a: any, b: any): any => (b && typeof b === 'object' && !Array.isArray(b) && a && typeof a === 'object'
      ? Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, k in b ? merge(a[k], b[k]) : a[k]])) : b);
    return merge(app, YAML.parse(body.join('\n')));
  }

  test('ApplicationSet mode: only the folders with vault placeholders render through the vault plugin', () => {
    const { doc } = synthArgo({}, (app) => {
      const shop = new AmbientNamespace(app, 'shop');
      new BasicAuthPlugin(shop, 'Auth', { name: 'auth', targets: [shop.addWaypoint()], rules: [rule('/', BasicAuthCredential.vault('secret/data/shop', 'basic'))] });
      const pay = new AmbientNamespace(app, 'pay');
      new BasicAuthPlugin(pay, 'Auth', { name: 'auth', targets: [pay.addWaypoint()], rules: [rule('/', BasicAuthCredential.vault('secret/data/pay', 'basic'))] });
      new AmbientNamespace(app, 'blog').addWaypoint();
    });
    const set = doc('argocd/ApplicationSet.cdk8s-istio-ambient.k8s.yaml');
    expect(set.spec.goTemplate).toBe(true); // templatePatch works only with Go templates (Argo CD Template.md, v3.5.1)
    expect(set.spec.template.spec.source.plugin).toBeUndefined();
    expect(set.spec.templatePatch).toBe([
      '{{- if eq .path.basename "pay" "shop" }}', 'spec:', '  source:', '    plugin:', '      name: "argocd-vault-plugin-kustomize"',
      '{{- else }}', '{}', '{{- end }}', ''].join('\n'));
    for (const folder of ['pay', 'shop']) {
      expect(applicationFor(set, folder).spec.source).toEqual({ repoURL: ARGO.repoUrl, targetRevision: 'HEAD', path: `dist/${folder}`, plugin: { name: 'argocd-vault-plugin-kustomize' } });
    }
    expect(applicationFor(set, 'blog').spec.source).toEqual({ repoURL: ARGO.repoUrl, targetRevision: 'HEAD', path: 'dist/blog' });
    expect(applicationFor(set, 'blog').spec.destination.namespace).toBe('blog');
  });

  test('ApplicationSet mode without vault placeholders has no templatePatch (the seed\'s ApplicationSet is unchanged)', () => {
    const { doc } = synthArgo({});
    expect(doc('argocd/ApplicationSet.cdk8s-istio-ambient.k8s.yaml').spec.templatePatch).toBeUndefined();
  });

  test('fails on settings Argo CD would reject', () => {
    expect(() => new GitOpsApp({ argoCd: { repoUrl: '' } })).toThrow(/argoCd\.repoUrl: is required \(got ""\)/);
    expect(() => new GitOpsApp({ argoCd: { ...ARGO, path: '../dist' } })).toThrow(/argoCd\.path: must be a relative path/);
    expect(() => new GitOpsApp({ argoCd: { ...ARGO, folder: 'Argo CD' } })).toThrow(/argoCd\.folder: must be a lowercase DNS label \(got "Argo CD"\)/);
  });
});

describe('credentials out of Git', () => {
  const ENV = 'CDK8S_TEST_BASIC_AUTH';
  afterEach(() => { delete process.env[ENV]; });

  test('fromEnv reads user:password or a token at synth', () => {
    process.env[ENV] = 'admin:s3cret';
    expect(BasicAuthCredential.fromEnv(ENV).value).toBe('admin:s3cret');
    process.env[ENV] = 'YWRtaW4zOmFkbWluMw==';
    expect(BasicAuthCredential.fromEnv(ENV).value).toBe('YWRtaW4zOmFkbWluMw==');
  });

  test('fails when the variable is unset, or invalid, without echoing the secret', () => {
    expect(() => BasicAuthCredential.fromEnv(ENV)).toThrow(/variable: environment variable "CDK8S_TEST_BASIC_AUTH" is not set \(got nothing\); export CDK8S_TEST_BASIC_AUTH=user:password/);
    process.env[ENV] = 'hunter2!';
    expect(() => BasicAuthCredential.fromEnv(ENV)).toThrow(/BA006 .*CDK8S_TEST_BASIC_AUTH: is neither "user:password" nor base64 the module decodes \(got a value of 8 characters\)/);
    try { BasicAuthCredential.fromEnv(ENV); } catch (e: any) { expect(e.message).not.toContain('hunter2'); }
  });

  test('vault refuses a path or key the placeholder cannot hold', () => {
    expect(() => BasicAuthCredential.vault('secret/x', 'a#b')).toThrow(/vault: key: must be non-empty without "<", ">", "#" or spaces \(got "a#b"\)/);
  });

  test('a plain-text credential warns at synth, naming the plugin and rule; a vault one does not', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const quiet = process.env.CDK8S_ISTIO_AMBIENT_QUIET;
    delete process.env.CDK8S_ISTIO_AMBIENT_QUIET;
    try {
      const app = new GitOpsApp({ outdir: tmp() });
      const ns = new AmbientNamespace(app, 'shop');
      const waypoint = ns.addWaypoint();
      new BasicAuthPlugin(ns, 'Plain', { name: 'plain', targets: [waypoint], rules: [rule('/a')] });
      new BasicAuthPlugin(ns, 'Vault', { name: 'vault', targets: [waypoint], rules: [rule('/b', BasicAuthCredential.vault('secret/x', 'k'))] });
      app.synth();
      const lines = write.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('BA011'));
      expect(lines).toEqual([expect.stringMatching(/^warning BA011 WasmPlugin shop\/plain \(shop\/Plain\): spec\.pluginConfig\.basic_auth_rules\[0\]\.credentials: 1 credential is written in plain text .*\(got \["ok:\*\*\*"\]\)/)]);
    } finally {
      write.mockRestore();
      process.env.CDK8S_ISTIO_AMBIENT_QUIET = quiet;
    }
  });
});

describe('a plain App', () => {
  test('still synthesizes our constructs, running the rule set once for all its charts', () => {
    const app = new App({ outdir: tmp() });
    mixed(app);
    const runs = jest.spyOn(rules, 'runRules');
    try {
      app.synth(); // validates once, then once more per chart
      expect(runs).toHaveBeenCalledTimes(1);
    } finally {
      runs.mockRestore();
    }
    expect(fs.readdirSync(app.outdir).sort()).toEqual(['blog.k8s.yaml', 'infra.k8s.yaml', 'shop.k8s.yaml']);
  });

  test('still fails on a rule error', () => {
    const app = new App({ outdir: tmp() });
    const ns = new AmbientNamespace(app, 'shop');
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [PolicyTarget.gateway('missing')], rules: [rule('/')] });
    expect(() => app.synth()).toThrow(/\[shop\/Auth\] WASM005 WasmPlugin shop\/auth/);
  });

  test('sees a change made through the library after a synth', () => {
    const app = new App({ outdir: tmp() });
    const ns = new AmbientNamespace(app, 'shop');
    const bookinfo = new Bookinfo(ns, 'Bookinfo');
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [PolicyTarget.fromService(bookinfo.reviews)], rules: [rule('/')] });
    expect(() => app.synth()).toThrow(/WASM009/);
    ns.addWaypoint();
    expect(() => app.synth()).not.toThrow();
  });
});

import * as fs from 'fs';
import * as path from 'path';
import * as rules from '../../src/rules';
import { cli, tmpDir } from '../support';

const FIX = path.join(__dirname, '..', 'fixtures', 'rules');
const BASE = path.join(FIX, 'base.yaml');
const fx = (name: string) => path.join(FIX, name);

function tmpdir(): string {
  return tmpDir('analyze-cli-');
}

describe('analyze CLI', () => {
  test('fails with exit 1 and prints one line per finding, then the summary', async () => {
    const bad = fx('WASM005.bad.yaml');
    const r = await cli('analyze', BASE, bad);
    expect(r.code).toBe(1);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toEqual([
      `error WASM005 WasmPlugin shop/cart-auth (${bad}:2): spec.targetRefs[0].name: no Gateway of that name in namespace shop, so the plugin applies to nothing (got "edge-istio"); did you mean "edge"? create Gateway shop/edge-istio or name an existing one (the Gateway name, not its "-istio" Deployment)`,
      '1 error, 0 warnings in 5 objects from 2 files',
    ]);
    expect(r.err).toBe('');
  });

  test('exits 0 on warnings only; --fail-on warning makes them fail; --quiet hides their lines', async () => {
    const warn = fx('WASM021.bad.yaml');
    const plain = await cli('analyze', BASE, warn);
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/^warning WASM021 WasmPlugin shop\/cart-auth /m);
    expect(plain.out.trimEnd().split('\n').pop()).toBe('0 errors, 1 warning in 5 objects from 2 files');
    expect((await cli('analyze', '--fail-on', 'warning', BASE, warn)).code).toBe(1);
    const quiet = await cli('analyze', '-q', BASE, warn);
    expect(quiet.out).toBe('0 errors, 1 warning in 5 objects from 2 files\n');
  });

  test('exits 0 with nothing to report on a clean input', async () => {
    const r = await cli('analyze', BASE, fx('WASM009.fixed.yaml'));
    expect(r).toEqual({ code: 0, out: '0 errors, 0 warnings in 6 objects from 2 files\n', err: '', output: '0 errors, 0 warnings in 6 objects from 2 files\n' });
  });

  test('--format json prints one document with every field of every finding and the summary', async () => {
    const bad = fx('BA010.bad.yaml');
    const r = await cli('analyze', '--format', 'json', BASE, bad);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    // BA010 twice (errors: an inert rule in an auth plugin is an open door), and BA011 for the plain-text credential
    expect(doc.summary).toEqual({ errors: 2, warnings: 1, objects: 5, files: 2, loadErrors: 0, loadWarnings: 0, suppressed: 0, exitCode: 1, text: '2 errors, 1 warning in 5 objects from 2 files' });
    expect(doc.findings.map((f: any) => f.code)).toEqual(['BA010', 'BA010', 'BA011']);
    expect(doc.findings[0]).toEqual({
      severity: 'error', code: 'BA010', title: 'basic_auth rule that can never match (path without "/", method empty or not upper case)',
      kind: 'WasmPlugin', namespace: 'shop', name: 'cart-auth', origin: `${bad}:2`, file: bad, line: 2,
      field: 'spec.pluginConfig.basic_auth_rules[0].prefix',
      message: 'does not start with "/": request paths always do, so this rule never matches and guards nothing',
      value: '"cart"', fix: 'write prefix: "/cart"', text: expect.stringMatching(/^error BA010 WasmPlugin shop\/cart-auth/),
    });
    expect(doc.loadErrors).toEqual([]);
  });

  test('fails with exit 2 on malformed YAML: one line with file and line, no stack, other files still analyzed', async () => {
    const dir = tmpdir();
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [cart\n');
    const r = await cli('analyze', BASE, fx('WASM005.bad.yaml'), broken);
    expect(r.code).toBe(2);
    const load = r.out.split('\n').filter((l) => l.startsWith('error LOAD'));
    expect(load).toHaveLength(1);
    expect(load[0]).toMatch(new RegExp(`^error LOAD ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `));
    expect(r.out).toMatch(/^error WASM005 /m);
    expect(r.out.trimEnd().split('\n').pop()).toBe('1 error, 0 warnings in 5 objects from 3 files; 1 input error');
    expect(r.out + r.err).not.toMatch(/\n\s+at /);
  });

  test('fails with exit 2 on a missing path and on a folder without YAML', async () => {
    const missing = await cli('analyze', path.join(tmpdir(), 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/^error LOAD .*nope\.yaml: no such file or directory$/m);
    const empty = await cli('analyze', tmpdir());
    expect(empty.code).toBe(2);
    expect(empty.out).toMatch(/no YAML or JSON files found/);
  });

  test('fails with exit 2 and one line when a rule crashes', async () => {
    const spy = jest.spyOn(rules, 'runRules').mockImplementation(() => { throw new Error('boom\n    at somewhere (x.ts:1:1)'); });
    try {
      const r = await cli('analyze', BASE);
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/^error INTERNAL: the rules failed on this input: boom$/m);
      expect(r.out).not.toMatch(/somewhere/);
    } finally {
      spy.mockRestore();
    }
  });

  test('fails with exit 2 on usage errors', async () => {
    expect((await cli('analyze')).code).toBe(2);
    expect((await cli('analyze', '--format', 'xml', BASE)).code).toBe(2);
  });

  test('output does not depend on the order of the inputs', async () => {
    const files = [BASE, fx('WASM005.bad.yaml'), fx('AMB002.bad.yaml'), fx('BA010.bad.yaml')];
    const a = await cli('analyze', ...files);
    const b = await cli('analyze', ...[...files].reverse());
    expect(a.out).toBe(b.out);
    const origins = a.out.split('\n').filter((l) => /^(error|warning) /.test(l)).map((l) => /\(([^)]*)\)/.exec(l)![1]);
    expect(origins).toEqual([...origins].sort());
  });

  test('reads any GitOps tree: one folder per application, kustomization.yaml, Argo CD objects', async () => {
    const dir = tmpdir();
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    write('shop/namespace-shop.yaml', fs.readFileSync(BASE, 'utf8'));
    write('shop/wasmplugin-cart-auth.yaml', fs.readFileSync(fx('WASM006.bad.yaml'), 'utf8'));
    write('shop/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace-shop.yaml\n');
    write('argocd/applicationset.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps, namespace: argocd}\nspec:\n  generators:\n    - git: {repoURL: "https://example.com/repo.git", revision: HEAD, directories: [{path: "dist/*"}]}\n');
    write('argocd/project.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: shop, namespace: argocd}\nspec: {}\n');
    const r = await cli('analyze', dir);
    expect(r.code).toBe(1);
    expect(r.out.split('\n').filter((l) => /^(error|warning) /.test(l)).map((l) => l.split(' ')[1])).toEqual(['WASM006']);
    expect(r.out.trimEnd().split('\n').pop()).toBe('1 error, 0 warnings in 8 objects from 5 files');
  });

  test('--root-namespace and --default-namespace change what the rules see', async () => {
    const meshWide = fx('WASM008.fixed.yaml');
    expect((await cli('analyze', BASE, meshWide)).code).toBe(0);
    const moved = await cli('analyze', '--root-namespace', 'mesh-root', BASE, meshWide);
    expect(moved.code).toBe(1);
    expect(moved.out).toMatch(/WASM008 .*root namespace mesh-root/);
    const dir = tmpdir();
    const noNs = path.join(dir, 'plugin.yaml');
    fs.writeFileSync(noNs, fs.readFileSync(fx('WASM005.fixed.yaml'), 'utf8').replace('  namespace: shop\n', ''));
    expect((await cli('analyze', BASE, noNs)).out).toMatch(/WASM005 WasmPlugin default\/cart-auth/);
    expect((await cli('analyze', '--default-namespace', 'shop', BASE, noNs)).code).toBe(0);
  });

  test('--cache DIR: the same report and exit code as without it, and a changed file is read again', async () => {
    // GIVEN a folder with a finding, analyzed without a cache
    const dir = tmpdir();
    fs.copyFileSync(BASE, path.join(dir, 'base.yaml'));
    fs.copyFileSync(fx('WASM005.bad.yaml'), path.join(dir, 'plugin.yaml'));
    const cache = path.join(tmpdir(), 'cache');
    const plain = await cli('analyze', dir, '--format', 'json');
    expect(plain.code).toBe(1);
    // WHEN it is analyzed with a cache, first to fill it, then from it
    const fill = await cli('analyze', dir, '--format', 'json', '--cache', cache);
    const hit = await cli('analyze', dir, '--format', 'json', '--cache', cache);
    // THEN the reports are the one without a cache, and the cache holds the files and the run
    for (const r of [fill, hit]) expect([r.code, r.out, r.err]).toEqual([plain.code, plain.out, plain.err]);
    expect(fs.readdirSync(cache).sort()).toEqual([expect.stringMatching(/^files-[0-9a-f]{16}\.ndjson$/), 'runs']);
    expect(fs.readdirSync(path.join(cache, 'runs'))).toHaveLength(1);
    // AND once the plugin is fixed, the cached run is not the answer
    fs.copyFileSync(fx('WASM005.fixed.yaml'), path.join(dir, 'plugin.yaml'));
    const fixed = await cli('analyze', dir, '--cache', cache);
    expect([fixed.code, fixed.out]).toEqual([0, (await cli('analyze', dir)).out]);
    expect(fixed.out).not.toMatch(/WASM005/);
  });

  test('--cache that is no folder: the same report, and one line on stderr that says so; an empty path is refused', async () => {
    const dir = tmpdir();
    fs.copyFileSync(fx('WASM005.bad.yaml'), path.join(dir, 'plugin.yaml'));
    const plain = await cli('analyze', dir);
    const file = path.join(tmpdir(), 'a-file');
    fs.writeFileSync(file, 'mine');
    const dangling = path.join(tmpdir(), 'dangling');
    fs.symlinkSync(path.join(path.dirname(dangling), 'nowhere'), dangling);
    const loop = path.join(tmpdir(), 'loop');
    fs.symlinkSync(loop, loop);
    for (const [cache, problem] of [[file, 'a regular file, not a folder'], [dangling, 'a symbolic link to nothing'], [loop, 'a symbolic link that leads back to itself'], ['/dev/null', 'a device, not a folder']]) {
      const r = await cli('analyze', dir, '--cache', cache);
      expect([r.code, r.out]).toEqual([plain.code, plain.out]);
      expect(r.err).toBe(`warning: --cache ${JSON.stringify(cache)}: ${problem}, so this run is not cached\n`);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('mine');
    const empty = await cli('analyze', dir, '--cache', '');
    expect([empty.code, empty.out, empty.err]).toEqual([2, '', 'error: --cache: give a folder (an empty path would put the cache in the current folder)\n']);
  });
});

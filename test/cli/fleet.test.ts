// analyze and simulate on a fleet tree: each cluster's mesh is its own, no finding is computed across clusters.
import * as fs from 'fs';
import * as path from 'path';
import { analyzePaths } from '../../src/analyze';
import { loadSimulator } from '../../src/simulate';
import { IstioAmbientValidation } from '../../src/validation-plugin';
import { cli, tmpDir, writeFiles } from '../support';

const FIX = path.join(__dirname, '..', 'fixtures', 'rules');
const BASE = fs.readFileSync(path.join(FIX, 'base.yaml'), 'utf8');
// a plugin for Service shop/carts, and that Service
const PLUGIN = fs.readFileSync(path.join(FIX, 'WASM006.bad.yaml'), 'utf8');
const CARTS = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: carts\n  namespace: shop\nspec:\n  ports:\n    - name: http\n      port: 80\n';


/** Cluster a has the plugin, cluster b the Service it targets; argocd/ is outside both. */
function fleetTree(): string {
  return writeFiles(tmpDir('fleet-cli-'), {
    'clusters/a/shop/base.yaml': BASE,
    'clusters/a/shop/plugin.yaml': PLUGIN,
    'clusters/b/shop/base.yaml': BASE,
    'clusters/b/shop/carts.yaml': CARTS,
    'argocd/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
  });
}

describe('analyze on a fleet tree', () => {
  test('reports a plugin in cluster a whose target exists only in cluster b; the same files as one cluster pass', async () => {
    const root = fleetTree();
    const r = await cli('analyze', root);
    expect(r.code).toBe(1);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('error '))).toEqual([
      expect.stringMatching(new RegExp(`^error WASM006 WasmPlugin shop/cart-auth \\(${root}/clusters/a/shop/plugin\\.yaml:2\\): spec\\.targetRefs\\[0\\]\\.name: .*"carts"`)),
    ]);
    expect(lines.pop()).toBe('1 error, 0 warnings in 11 objects from 5 files; clusters, each on its own: a, b');

    // GIVEN the same objects in one tree THEN the plugin finds its Service
    const flat = writeFiles(tmpDir('flat-'), { 'shop/base.yaml': BASE, 'shop/plugin.yaml': PLUGIN, 'shop/carts.yaml': CARTS });
    expect(await cli('analyze', flat)).toMatchObject({ code: 0, out: '0 errors, 0 warnings in 6 objects from 3 files\n' });
  });

  test('--cluster analyzes one cluster; the clusters folder given directly is split the same way', async () => {
    const root = fleetTree();
    expect(await cli('analyze', '--cluster', 'b', root)).toEqual({ code: 0, out: '0 errors, 0 warnings in 5 objects from 2 files; cluster b\n', err: '', output: '0 errors, 0 warnings in 5 objects from 2 files; cluster b\n' });
    expect((await cli('analyze', '--cluster', 'a', root)).code).toBe(1);
    expect((await cli('analyze', path.join(root, 'clusters'))).out).toMatch(/^error WASM006 .*\n1 error, 0 warnings in 10 objects from 4 files; clusters, each on its own: a, b\n$/);
    expect((await cli('analyze', path.join(root, 'clusters', 'b'))).code).toBe(0);
    const json = JSON.parse((await cli('analyze', '--format', 'json', root)).out);
    expect(json.summary.clusters).toEqual(['a', 'b']);
    expect(analyzePaths([root], { cluster: 'b' }).summary.clusters).toEqual(['b']);
  });

  test('--cluster with a cluster the tree does not have is bad input (exit 2), in one line', async () => {
    const root = fleetTree();
    const r = await cli('analyze', '--cluster', 'c', root);
    expect(r.code).toBe(2);
    expect(r.out).toBe(`error LOAD ${root}: --cluster: ${root} holds no cluster "c" (its clusters: a, b); pass one of its clusters, or leave --cluster out for a single-cluster tree\n`
      + '0 errors, 0 warnings in 0 objects from 0 files; 1 input error\n');
  });

  test('the cdk8s validation plugin checks each cluster on its own too', async () => {
    const root = fleetTree();
    const violations: any[] = [];
    const manifests = ['clusters/a/shop/base.yaml', 'clusters/a/shop/plugin.yaml', 'clusters/b/shop/base.yaml', 'clusters/b/shop/carts.yaml'].map((f) => path.join(root, f));
    let status = '';
    await new IstioAmbientValidation().validate({
      manifests, logger: { log: () => undefined },
      report: { addViolation: (v) => violations.push(v), submit: (s) => { status = s; } },
    });
    expect(status).toBe('failure');
    expect(violations.map((v) => v.ruleName)).toEqual([expect.stringMatching(/^WASM006 /)]);
  });
});

describe('simulate on a fleet tree', () => {
  test('a request runs in one cluster: the tree root without --cluster is bad input, naming the clusters', async () => {
    const root = fleetTree();
    const r = await cli('simulate', '--manifests', root, '--from', 'shop/curl', 'http://cart.shop/');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: manifests: ${root} holds clusters a, b and files outside them: a request runs in one cluster; pass --cluster <name> (e.g. --cluster a)\n`);
    expect(() => loadSimulator([path.join(root, 'clusters')])).toThrow(/holds clusters a, b: a request runs in one cluster/);
  });

  test('--cluster, or the cluster folder itself, loads that cluster only', async () => {
    const root = fleetTree();
    const inB = loadSimulator([root], { cluster: 'b' });
    const inA = loadSimulator([path.join(root, 'clusters', 'a')]);
    // carts exists in b only
    expect(inB.model.services.has('shop/carts')).toBe(true);
    expect(inA.model.services.has('shop/carts')).toBe(false);
    expect(() => loadSimulator([root], { cluster: 'z' })).toThrow(/--cluster: .* holds no cluster "z" \(its clusters: a, b\)/);
  });
});

describe('diff and graph on a fleet tree', () => {
  test('compare and draw one cluster at a time', async () => {
    const before = fleetTree();
    const after = fleetTree();
    fs.rmSync(path.join(after, 'clusters/b/shop/carts.yaml'));
    const mixed = await cli('diff', before, after);
    expect(mixed.code).toBe(2);
    expect(mixed.err).toBe(`error: OLD: ${before} holds clusters a, b and files outside them: a diff compares one cluster; pass --cluster <name> (e.g. --cluster a)\n`);
    expect((await cli('diff', '--cluster', 'a', before, after)).code).toBe(0);
    expect((await cli('diff', '--cluster', 'c', before, after)).err).toMatch(/^error: OLD: --cluster: .* holds no cluster "c" \(its clusters: a, b\)/);

    const graph = await cli('graph', before);
    expect(graph.code).toBe(2);
    expect(graph.err).toMatch(/holds clusters a, b and files outside them: a graph draws one cluster; pass --cluster <name>/);
    const drawn = await cli('graph', '--cluster', 'a', before);
    expect(drawn.code).toBe(0);
    expect(drawn.out).toContain('cart-auth');
  });
});

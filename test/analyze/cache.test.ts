// The analyze cache never changes a report: an unchanged input is answered whole, a changed file is parsed
// again, a damaged or foreign cache is a miss, and what JSON cannot carry is never kept.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzePaths } from '../../src/analyze';
import { toolFingerprint } from '../../src/analyze/cache';

const made: string[] = [];
const tmp = (p: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), p));
  made.push(d);
  return d;
};
afterAll(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

/** The one file of kept parses in a cache folder (named after the tool's fingerprint). */
function filesOf(cache: string): string {
  const names = fs.readdirSync(cache).filter((f) => f.startsWith('files'));
  expect(names).toEqual([`files-${toolFingerprint().slice(0, 16)}.json`]);
  return path.join(cache, names[0]);
}

const PLUGIN = (ns: string, extra = '') => `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata:
  name: auth
  namespace: ${ns}
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  phase: AUTHN${extra}
  targetRefs:
    - kind: Gateway
      group: gateway.networking.k8s.io
      name: waypoint
`;

function repo(): string {
  const dir = tmp('cache-repo-');
  for (const ns of ['a', 'b', 'c']) {
    fs.mkdirSync(path.join(dir, ns));
    fs.writeFileSync(path.join(dir, ns, 'plugin.yaml'), PLUGIN(ns));
    fs.writeFileSync(path.join(dir, ns, 'ns.yaml'), `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    istio.io/dataplane-mode: ambient\n`);
  }
  fs.writeFileSync(path.join(dir, 'a', 'odd.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: odd, namespace: a}\ndata: {n: .nan}\n');
  fs.writeFileSync(path.join(dir, 'b', 'broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n');
  return dir;
}

describe('analyze --cache', () => {
  test('gives the report an uncached run gives, first time and after, and parses only what changed', () => {
    const dir = repo();
    const cache = tmp('cache-');
    const plain = analyzePaths([dir]);
    expect(plain.findings.length).toBeGreaterThan(0);
    expect(plain.loadErrors).toHaveLength(1);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain); // a miss: computed, then kept
    expect(fs.readdirSync(path.join(cache, 'runs'))).toHaveLength(1);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain); // a hit: read back

    // WHEN one file changes, and the options change
    fs.writeFileSync(path.join(dir, 'c', 'plugin.yaml'), PLUGIN('c', '\n  failStrategy: FAIL_OPEN'));
    const changed = analyzePaths([dir]);
    expect(changed).not.toEqual(plain);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(changed);
    expect(analyzePaths([dir], { cacheDir: cache, rootNamespace: 'mesh' })).toEqual(analyzePaths([dir], { rootNamespace: 'mesh' }));
    // THEN the kept files are this run's, without the one JSON cannot carry (NaN)
    const kept = JSON.parse(fs.readFileSync(filesOf(cache), 'utf8'));
    expect(kept.tool).toBe(toolFingerprint());
    expect(Object.keys(kept.files)).toHaveLength(7); // 3 plugins, 3 namespaces, the broken file; not odd.yaml
    expect(fs.readdirSync(path.join(cache, 'runs'))).toHaveLength(3);

    // AND an unchanged file is not parsed again: its kept parse (emptied here) stands for it; a changed one is read
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });
    const forged = JSON.parse(fs.readFileSync(filesOf(cache), 'utf8'));
    const isB = (k: string) => forged.files[k].objects[0]?.[1]?.kind === 'Namespace' && forged.files[k].objects[0][1].metadata.name === 'b';
    expect(Object.keys(forged.files).filter(isB)).toHaveLength(1);
    for (const k of Object.keys(forged.files).filter(isB)) forged.files[k].objects = [];
    fs.writeFileSync(filesOf(cache), JSON.stringify(forged));
    fs.writeFileSync(path.join(dir, 'a', 'plugin.yaml'), PLUGIN('a', '\n  failStrategy: FAIL_OPEN'));
    const now = analyzePaths([dir]);
    const mixed = analyzePaths([dir], { cacheDir: cache });
    expect(mixed.summary.objects).toBe(now.summary.objects - 1); // b's Namespace: the kept (emptied) parse
    const ofA = (r: typeof now) => r.findings.filter((f) => f.origin.includes(`a${path.sep}plugin.yaml`));
    expect(ofA(now).some((f) => /FAIL_OPEN/.test(f.message))).toBe(true);
    expect(ofA(mixed)).toEqual(ofA(now));
  });

  test('reads and parses on worker threads when asked, first time and when files changed, to the same report', () => {
    const dir = repo();
    const cache = tmp('cache-threads-');
    const plain = analyzePaths([dir]);
    const runs = () => fs.readdirSync(path.join(cache, 'runs')).length;
    // a first run (nothing kept): each file read once, on the worker too
    expect(analyzePaths([dir], { cacheDir: cache, workerThreads: 1 })).toEqual(plain);
    expect(runs()).toBe(1); // kept: the hashes the workers sent are the content's
    // a run with a changed file, after another tool's files and an older version's were left in the folder
    fs.writeFileSync(path.join(cache, 'files.json'), '{}');
    fs.writeFileSync(path.join(cache, 'files-0123456789abcdef.json'), '{}');
    fs.writeFileSync(path.join(dir, 'c', 'plugin.yaml'), PLUGIN('c', '\n  failStrategy: FAIL_OPEN'));
    expect(analyzePaths([dir], { cacheDir: cache, workerThreads: 1 })).toEqual(analyzePaths([dir]));
    // kept again: the file read again on a worker came back with the hash it was listed under
    expect(runs()).toBe(2);
    filesOf(cache); // the other two are gone
    expect(analyzePaths([dir], { cacheDir: cache, workerThreads: 1 })).toEqual(analyzePaths([dir]));
  });

  test('a damaged cache, or one of another tool, is a miss and never an error', () => {
    const dir = repo();
    const cache = tmp('cache-');
    const plain = analyzePaths([dir]);
    analyzePaths([dir], { cacheDir: cache });
    for (const f of fs.readdirSync(path.join(cache, 'runs'))) fs.writeFileSync(path.join(cache, 'runs', f), 'not v8');
    const kept = JSON.parse(fs.readFileSync(filesOf(cache), 'utf8'));
    // a kept parse that lies: with another tool's fingerprint it is never read
    for (const k of Object.keys(kept.files)) kept.files[k].objects = [[':1', { kind: 'Namespace', metadata: { name: 'forged' } }]];
    fs.writeFileSync(filesOf(cache), JSON.stringify({ ...kept, tool: 'another' }));
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
    fs.writeFileSync(filesOf(cache), '{"format": 1, "tool": ');
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });
    // entries of the wrong shape under the right fingerprint are misses too
    const good = JSON.parse(fs.readFileSync(filesOf(cache), 'utf8'));
    for (const k of Object.keys(good.files)) good.files[k] = { documents: 'one' };
    fs.writeFileSync(filesOf(cache), JSON.stringify(good));
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
  });

  test('a cache folder that cannot be written leaves the report as it is', () => {
    const dir = repo();
    const file = path.join(tmp('cache-file-'), 'a-file');
    fs.writeFileSync(file, 'x');
    expect(analyzePaths([dir], { cacheDir: file })).toEqual(analyzePaths([dir]));
  });
});

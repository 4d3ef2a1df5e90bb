// The analyze cache never changes a report: an unchanged input is answered whole, a changed file is parsed
// again, a damaged or foreign cache is a miss, and what JSON cannot carry is never kept.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzePaths } from '../../src/analyze';
import { toolFingerprint } from '../../src/analyze/cache';
import { authPluginYaml } from '../support';

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
  expect(names).toEqual([`files-${toolFingerprint().slice(0, 16)}.ndjson`]);
  return path.join(cache, names[0]);
}

/** The kept parses as the cache writes them: a header line, `<sha256> <JSON>` a file, then `#sum <sha256 of the rest>`. */
interface Kept { header: { format: number; tool: string }; files: Record<string, any> }
function readKept(file: string): Kept {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#sum '));
  return { header: JSON.parse(head), files: Object.fromEntries(lines.map((l) => [l.slice(0, 64), JSON.parse(l.slice(65))])) };
}
/** A kept parse's line. */
function keptLine(hash: string, value: unknown, stringify: (v: unknown) => string = (v) => JSON.stringify(v)): string {
  return `${hash} ${stringify(value)}`;
}
/** The text of a file of kept parses from its lines, with the checksum line the cache ends it with. */
function sealed(lines: readonly string[]): string {
  const body = lines.map((l) => `${l}\n`).join('');
  return `${body}#sum ${crypto.createHash('sha256').update(body).digest('hex')}\n`;
}
/** The lines of a file of kept parses, without its checksum line. */
function linesOf(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#sum '));
}
function writeKept(file: string, k: Kept): void {
  fs.writeFileSync(file, sealed([JSON.stringify(k.header), ...Object.entries(k.files).map(([h, v]) => keptLine(h, v))]));
}

const PLUGIN = (ns: string, extra = '') => authPluginYaml(ns, { spec: extra });

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
    const kept = readKept(filesOf(cache));
    expect(kept.header.tool).toBe(toolFingerprint());
    expect(Object.keys(kept.files)).toHaveLength(7); // 3 plugins, 3 namespaces, the broken file; not odd.yaml
    expect(fs.readdirSync(path.join(cache, 'runs'))).toHaveLength(3);

    // AND an unchanged file is not parsed again: its kept parse (emptied here) stands for it; a changed one is read
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });
    const forged = readKept(filesOf(cache));
    const isB = (k: string) => forged.files[k].objects[0]?.[1]?.kind === 'Namespace' && forged.files[k].objects[0][1].metadata.name === 'b';
    expect(Object.keys(forged.files).filter(isB)).toHaveLength(1);
    for (const k of Object.keys(forged.files).filter(isB)) forged.files[k].objects = [];
    writeKept(filesOf(cache), forged);
    fs.writeFileSync(path.join(dir, 'a', 'plugin.yaml'), PLUGIN('a', '\n  failStrategy: FAIL_OPEN'));
    const now = analyzePaths([dir]);
    const mixed = analyzePaths([dir], { cacheDir: cache });
    expect(mixed.summary.objects).toBe(now.summary.objects - 1); // b's Namespace: the kept (emptied) parse
    const ofA = (r: typeof now) => r.findings.filter((f) => f.origin.includes(`a${path.sep}plugin.yaml`));
    expect(ofA(now).some((f) => /FAIL_OPEN/.test(f.message))).toBe(true);
    expect(ofA(mixed)).toEqual(ofA(now));
  });

  test('a link retargeted from a copy to a file listed is one file less: the run is not the one before', () => {
    // the same text, read through a link, is another file's or the same file: only which files are one file tells
    // the two runs apart (every file's content is the same in both)
    const dir = repo();
    const outside = tmp('cache-outside-');
    const cache = tmp('cache-');
    fs.copyFileSync(path.join(dir, 'a', 'plugin.yaml'), path.join(outside, 'copy.yaml'));
    const link = path.join(dir, 'c', 'same.yaml');
    fs.symlinkSync(path.join(outside, 'copy.yaml'), link);
    const two = analyzePaths([dir]);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(two);
    fs.unlinkSync(link);
    fs.symlinkSync(path.join(dir, 'a', 'plugin.yaml'), link);
    const one = analyzePaths([dir]);
    expect(one.summary.objects).toBe(two.summary.objects - 1);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(one);
    expect(analyzePaths([dir], { cacheDir: cache, workerThreads: 1 })).toEqual(one);
  });

  test('after a change, an entry still as it was read is written back as the text it was read from', () => {
    const dir = repo();
    const cache = tmp('cache-');
    analyzePaths([dir], { cacheDir: cache });
    // the kept entry of b's Namespace, spaced out: it parses to the same entry, so it stands as it is
    const lines = linesOf(filesOf(cache));
    const at = lines.findIndex((l) => l.includes('"kind":"Namespace"') && l.includes('"name":"b"'));
    expect(at).toBeGreaterThan(0);
    const spaced = keptLine(lines[at].slice(0, 64), JSON.parse(lines[at].slice(65)), (v) => JSON.stringify(v, null, 1).replace(/\n/g, ' '));
    lines[at] = spaced;
    fs.writeFileSync(filesOf(cache), sealed(lines));
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });

    fs.writeFileSync(path.join(dir, 'c', 'plugin.yaml'), PLUGIN('c', '\n  failStrategy: FAIL_OPEN'));
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(analyzePaths([dir]));
    const after = linesOf(filesOf(cache));
    expect(after).toContain(spaced);
    expect(fs.readFileSync(filesOf(cache), 'utf8')).toBe(sealed(after)); // and the checksum is of what it now holds
    // every other line is JSON as JSON.stringify writes it, the new parse of c's plugin among them
    const others = after.slice(1).filter((l) => l !== spaced);
    for (const l of others) expect(l).toBe(keptLine(l.slice(0, 64), JSON.parse(l.slice(65))));
    expect(others.some((l) => l.includes('FAIL_OPEN'))).toBe(true);
    expect(others).toHaveLength(6);
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
    fs.writeFileSync(path.join(cache, 'files-0123456789abcdef.ndjson'), '{}');
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
    const kept = readKept(filesOf(cache));
    // a kept parse that lies: with another tool's fingerprint it is never read
    for (const k of Object.keys(kept.files)) kept.files[k].objects = [[':1', { kind: 'Namespace', metadata: { name: 'forged' } }]];
    writeKept(filesOf(cache), { ...kept, header: { ...kept.header, tool: 'another' } });
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
    fs.writeFileSync(filesOf(cache), '{"format": 2, "tool": ');
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });
    // entries of the wrong shape under the right fingerprint are misses too
    const good = readKept(filesOf(cache));
    for (const k of Object.keys(good.files)) good.files[k] = { documents: 'one' };
    writeKept(filesOf(cache), good);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
    // a kept parse changed without its checksum made again is never read: the whole file is a miss
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });
    analyzePaths([dir], { cacheDir: cache });
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });
    const forged = readKept(filesOf(cache));
    for (const k of Object.keys(forged.files)) forged.files[k].objects = [];
    writeKept(filesOf(cache), forged);
    const text = fs.readFileSync(filesOf(cache), 'utf8');
    fs.writeFileSync(filesOf(cache), text.replace(/#sum [0-9a-f]{64}\n$/, `#sum ${'0'.repeat(64)}\n`));
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });
    fs.writeFileSync(filesOf(cache), text); // the same forgery sealed is read (the check is what told them apart):
    expect(analyzePaths([dir], { cacheDir: cache }).summary.objects).toBe(1); // only odd.yaml's, never kept (NaN)
    // a file of another format is a miss
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });
    writeKept(filesOf(cache), { ...readKept(filesOf(cache)), header: { format: 1, tool: toolFingerprint() } });
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
  });

  test('reads kept parses larger than its read buffer (multi-byte characters across the boundaries), and leaves damaged lines out', () => {
    const dir = repo();
    const cache = tmp('cache-big-');
    // a 6 MB ConfigMap of two-byte characters: its kept parse is one line across several 1 MiB reads
    fs.writeFileSync(path.join(dir, 'a', 'big.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: a\ndata:\n  v: ${'é'.repeat(3_000_000)}\n`);
    const plain = analyzePaths([dir]);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
    // the kept parse of the big file is what the next run reads: with a second object (forged) it has one more
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });
    const kept = readKept(filesOf(cache));
    const big = Object.keys(kept.files).filter((k) => kept.files[k].objects[0]?.[1]?.metadata?.name === 'big');
    expect(big).toHaveLength(1);
    const [origin, manifest] = kept.files[big[0]].objects[0];
    kept.files[big[0]].objects.push([origin, { ...manifest, metadata: { name: 'big-2', namespace: 'a' } }]);
    writeKept(filesOf(cache), kept);
    // with lines of the wrong shape before it (cut JSON, a short hash, no space), which are left out, and the rest read
    const [header, ...entries] = linesOf(filesOf(cache));
    fs.writeFileSync(filesOf(cache), sealed([header, `${'a'.repeat(64)} {"documents": 1, "bla`, 'abc {}', `${'b'.repeat(64)}{}`, ...entries]));
    expect(fs.statSync(filesOf(cache)).size).toBeGreaterThan(4 * 2 ** 20);
    expect(analyzePaths([dir], { cacheDir: cache }).summary.objects).toBe(plain.summary.objects + 1);
  });

  test('a cache folder that cannot be written leaves the report as it is', () => {
    const dir = repo();
    const file = path.join(tmp('cache-file-'), 'a-file');
    fs.writeFileSync(file, 'x');
    expect(analyzePaths([dir], { cacheDir: file })).toEqual(analyzePaths([dir]));
  });
});

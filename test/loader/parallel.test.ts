// Reading on worker threads gives what reading on one thread gives: the same objects, origins, errors and
// warnings, in the same order, for files JSON carries exactly and for those it does not (they are read again).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadFile, loadManifests } from '../../src/loader/load';
import { jsonExact, loadInParallel } from '../../src/loader/parallel';

const made: string[] = [];
afterAll(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

/** A tree of 150 files: plain objects, Lists, errors, an empty file, exotic numbers, a link and a hard link. */
function tree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parallel-'));
  made.push(dir);
  for (let i = 0; i < 150; i++) {
    const ns = `ns-${i % 7}`;
    const file = path.join(dir, ns, `f${i}.yaml`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const body = i % 25 === 3 ? 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad\n' // a parse error
      : i % 25 === 4 ? '' // empty
        : i % 25 === 5 ? `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: n${i}}\ndata: {a: .nan}\nx: -0\ny: -.inf\n` // JSON cannot carry these
          : i % 25 === 6 ? `apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s${i}, namespace: ${ns}}}\n- {apiVersion: v1, kind: Secret, metadata: {name: k${i}}}\n`
            : `# comment\napiVersion: v1\nkind: Service\nmetadata:\n  name: s${i}\n  namespace: ${ns}\n  labels: {app: "a${i}"}\nspec:\n  ports: [{port: ${8000 + i}}]\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa${i}}\n`;
    fs.writeFileSync(file, body);
  }
  fs.symlinkSync('f0.yaml', path.join(dir, 'ns-0', 'g-link.yaml'));
  fs.linkSync(path.join(dir, 'ns-1', 'f1.yaml'), path.join(dir, 'ns-1', 'g-hard.yaml'));
  return dir;
}

describe('loader on worker threads', () => {
  test('the workers do every chunk: the result equals the single-threaded one', () => {
    const dir = tree();
    const single = loadManifests([dir], { workerThreads: 0 });
    // GIVEN the files as the loader lists them, read by a worker alone (the calling thread takes no chunk)
    const files = [...single.files, path.join(dir, 'ns-0', 'g-link.yaml'), path.join(dir, 'ns-1', 'g-hard.yaml')];
    const redone: string[] = [];
    const viaWorker = loadInParallel(files, undefined, 1, (f, m) => { redone.push(f); return loadFile(f, m); }, { leaveChunksToWorkers: true });
    // THEN every outcome is the one this thread gives, and only the files JSON cannot carry were read again here
    expect(viaWorker).toEqual(files.map((f) => loadFile(f)));
    expect(redone.map((f) => path.basename(f)).sort()).toEqual(['f105.yaml', 'f130.yaml', 'f30.yaml', 'f5.yaml', 'f55.yaml', 'f80.yaml']);
    expect(single.files.some((f) => f.endsWith('g-link.yaml') || f.endsWith('g-hard.yaml'))).toBe(false); // each read once
    expect(single.errors).toHaveLength(6);
    expect(single.warnings).toHaveLength(6);
  });

  test('loadManifests with a worker thread gives exactly what it gives on one thread', () => {
    const dir = tree();
    expect(loadManifests([dir], { workerThreads: 1 })).toEqual(loadManifests([dir], { workerThreads: 0 }));
  });

  test('a worker that cannot start leaves the work to this thread', () => {
    const dir = tree();
    const files = loadManifests([dir], { workerThreads: 0 }).files;
    expect(loadInParallel(files, undefined, 1, loadFile, { workerFile: path.join(dir, 'no-such-worker.js') })).toEqual(files.map((f) => loadFile(f)));
  });

  test('a worker that dies part way leaves what it took and did not deliver to this thread', () => {
    // GIVEN a worker running the real loop, whose reader throws at its fourth file (a bug, or out of memory)
    const dir = tree();
    const files = loadManifests([dir], { workerThreads: 0 }).files;
    const worker = path.join(dir, 'dying-worker.js');
    const src = path.join(__dirname, '..', '..', 'src', 'loader');
    fs.writeFileSync(worker, [
      "const { workerData } = require('worker_threads');",
      `const { workerLoop } = require(${JSON.stringify(path.join(src, 'parallel'))});`,
      `const { loadFile, hashFile } = require(${JSON.stringify(path.join(src, 'load'))});`,
      'let n = 0;',
      "workerLoop(workerData, (f, m) => { if (++n > 3) throw new Error('boom'); return loadFile(f, m); }, hashFile);",
    ].join('\n'));
    // WHEN the worker alone takes chunks
    const out = loadInParallel(files, undefined, 1, loadFile, { leaveChunksToWorkers: true, workerFile: worker });
    // THEN every file still has the outcome this thread gives it, in order
    expect(out).toEqual(files.map((f) => loadFile(f)));
  });

  test('jsonExact tells what JSON carries unchanged', () => {
    expect(jsonExact({ a: [1, 'x', true, null, { b: 2.5 }] })).toBe(true);
    for (const v of [NaN, Infinity, -0, { a: [undefined] }, [, 1], Object.create(null), JSON.parse('{"__proto__": 1}'), { f: () => 1 }]) expect(jsonExact(v)).toBe(false);
  });
});

// Races against the analyze cache: a file changed between git's stat and the read, between the read and the stat
// after it, between the hash and the parse, and a file turned into a folder or a link while the tree is listed.
// Each change is made from inside the run (a spy on the call the run makes next), so the order is certain, with no
// sleep. The run's report is one the input had while it ran (or a one-line error), and what the cache keeps from it
// never answers for a state it did not read: the next run gives the uncached report.
import * as fs from 'fs';
import * as path from 'path';
import { analyzePaths, exitCodeOf } from '../../src/analyze';
import { ambientNamespaceYaml, git, settle, tmpDir, withGit } from '../support';

const CM = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: a\n  annotations:\n    istio.io/dataplane-mode: ${value}\ndata: {}\n`;
/** `n` ConfigMaps in one file: each change below changes the count, so the reports differ. */
const CMS = (n: number) => Array.from({ length: n }, (_, i) => CM(`v${n}`).replace('name: settings', `name: settings-${i}`)).join('---\n');
const NS = ambientNamespaceYaml('a');

/** A committed work tree of two files, settled (no entry racily clean). */
function workTree(): string {
  const dir = tmpDir('cache-race-');
  git(dir, 'init', '-q');
  fs.writeFileSync(path.join(dir, 'ns.yaml'), NS);
  fs.writeFileSync(path.join(dir, 'cm.yaml'), CM('ambient'));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'x');
  settle(dir);
  return dir;
}

const real = require('fs') as typeof fs;
// fs.rmSync loads Node's folder walker on first use, which takes lstatSync and readdirSync from fs as they are then:
// loaded here, before any spy, so that it never keeps one
fs.rmSync(path.join(tmpDir('cache-race-warm-'), 'none'), { force: true });

/**
 * Runs `run` with `act` done once, just before the `nth` call of `fs[method]` on `file` (1-based) goes through.
 * The spy calls the real function; what `act` itself does is not counted.
 */
function onCall<T>(method: 'openSync' | 'lstatSync' | 'readdirSync', file: string, nth: number, act: () => void, run: () => T): { result: T; calls: number } {
  const original = real[method] as (...a: any[]) => any;
  let calls = 0;
  let acting = false;
  const spy = jest.spyOn(real, method as any).mockImplementation((...args: any[]) => {
    if (!acting && String(args[0]) === file && ++calls === nth) {
      if (method === 'readdirSync') {
        const out = original(...args); // listed first, then changed
        acting = true;
        try { act(); } finally { acting = false; }
        return out;
      }
      acting = true;
      try { act(); } finally { acting = false; }
    }
    return original(...args);
  });
  try {
    return { result: run(), calls };
  } finally {
    spy.mockRestore();
  }
}

describe('the analyze cache under races', () => {
  withGit('a file changed between its read and the stat after it: the report is of what was read, and the cache keeps no claim that git vouched for it', () => {
    const dir = workTree();
    const cache = tmpDir('cache-race-cache-');
    const cm = path.join(dir, 'cm.yaml');
    const before = analyzePaths([dir]);
    // the first run reads every file, then looks at each again: the file changes in between
    const { result, calls } = onCall('lstatSync', cm, 1, () => fs.writeFileSync(cm, CMS(2)), () => analyzePaths([dir], { cacheDir: cache, workerThreads: 0 }));
    expect(calls).toBeGreaterThan(0);
    expect(result).toEqual(before);
    const after = analyzePaths([dir]);
    expect(after).not.toEqual(before);
    expect(analyzePaths([dir], { cacheDir: cache, workerThreads: 0 })).toEqual(after);
  });

  withGit('a file changed between git\'s stat and its read: the report is of what was read, and the next run\'s is right', () => {
    const dir = workTree();
    const cache = tmpDir('cache-race-cache-');
    analyzePaths([dir], { cacheDir: cache, workerThreads: 0 });
    // an input the cache has no report for (another option), so the changed file is hashed, then parsed
    const cm = path.join(dir, 'cm.yaml');
    fs.writeFileSync(cm, CMS(2)); // no longer what git holds: it is read
    const { result, calls } = onCall('openSync', cm, 1, () => fs.writeFileSync(cm, CMS(3)), () => analyzePaths([dir], { cacheDir: cache, workerThreads: 0, rootNamespace: 'mesh' }));
    expect(calls).toBeGreaterThan(0);
    const now = analyzePaths([dir], { rootNamespace: 'mesh' });
    expect(result).toEqual(now);
    expect(analyzePaths([dir], { cacheDir: cache, workerThreads: 0, rootNamespace: 'mesh' })).toEqual(now);
  });

  withGit('a file changed between its hash and its parse: the report is of what was parsed, and it is not kept under the hash', () => {
    const dir = workTree();
    const cache = tmpDir('cache-race-cache-');
    analyzePaths([dir], { cacheDir: cache, workerThreads: 0 });
    const cm = path.join(dir, 'cm.yaml');
    fs.writeFileSync(cm, CMS(2));
    const runs = () => fs.readdirSync(path.join(cache, 'runs')).length;
    const kept = runs();
    // the first open hashes it, the second parses it: the file changes in between
    const { result, calls } = onCall('openSync', cm, 2, () => fs.writeFileSync(cm, CMS(3)), () => analyzePaths([dir], { cacheDir: cache, workerThreads: 0 }));
    expect(calls).toBe(2);
    const now = analyzePaths([dir]);
    expect(result).toEqual(now);
    expect(runs()).toBe(kept); // the key said "changed", the report was of "changed-again": not kept
    expect(analyzePaths([dir], { cacheDir: cache, workerThreads: 0 })).toEqual(now);
  });

  test('a file turned into a folder while the tree is listed is a one-line load error (exit 2); turned into a link, it is read through', () => {
    const dir = tmpDir('cache-race-list-');
    fs.writeFileSync(path.join(dir, 'ns.yaml'), NS);
    fs.writeFileSync(path.join(dir, 'cm.yaml'), CM('ambient'));
    const cache = tmpDir('cache-race-cache-');
    const cm = path.join(dir, 'cm.yaml');
    const toFolder = () => { fs.unlinkSync(cm); fs.mkdirSync(cm); };
    const { result } = onCall('readdirSync', dir, 1, toFolder, () => analyzePaths([dir], { cacheDir: cache }));
    expect(result.loadErrors).toEqual([{ file: cm, line: 0, message: 'a directory, not a regular file; only regular files are read' }]);
    expect(exitCodeOf(result)).toBe(2);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(analyzePaths([dir]));
    // a link to a file elsewhere in its place
    fs.rmSync(cm, { recursive: true });
    fs.writeFileSync(cm, CM('ambient'));
    const other = path.join(tmpDir('cache-race-other-'), 'other.yaml');
    fs.writeFileSync(other, CMS(4));
    const toLink = () => { fs.unlinkSync(cm); fs.symlinkSync(other, cm); };
    const linked = onCall('readdirSync', dir, 1, toLink, () => analyzePaths([dir], { cacheDir: cache })).result;
    expect(linked).toEqual(analyzePaths([dir]));
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(linked);
  });
});

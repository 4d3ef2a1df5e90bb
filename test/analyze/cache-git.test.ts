// The analyze cache in a git work tree: a file whose stat data git's index holds is known by git's object id
// without being read, so a fresh checkout of an unchanged commit is answered from the cache without opening a
// manifest; and whatever git cannot vouch for (a change, even one git itself would not see, an untracked file, a
// racily clean entry) is read, so the report is always the one an uncached run gives.
import * as fs from 'fs';
import * as path from 'path';
import { analyzePaths } from '../../src/analyze';
import { authPluginYaml, git, settle, tmpDir, withGit } from '../support';

// (scratch folders go with the run's temporary folder: test/global-setup.js)
const scratch = tmpDir;

const PLUGIN = (ns: string) => authPluginYaml(ns);

/** A repository of three namespaces, committed; returns its folder (the origin to clone). */
function origin(): string {
  const dir = scratch('cache-git-origin-');
  git(dir, 'init', '-q');
  for (const ns of ['a', 'b', 'c']) {
    fs.mkdirSync(path.join(dir, ns));
    fs.writeFileSync(path.join(dir, ns, 'plugin.yaml'), PLUGIN(ns));
    fs.writeFileSync(path.join(dir, ns, 'ns.yaml'), `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    istio.io/dataplane-mode: ambient\n`);
  }
  fs.writeFileSync(path.join(dir, 'b', 'latin1.yaml'), Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n', 'latin1'));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'three namespaces');
  return dir;
}

/** A fresh checkout of `from` at `to` (what CI makes on every run: new files, new inodes, new times). */
function checkout(from: string, to: string): string {
  fs.rmSync(to, { recursive: true, force: true });
  git(path.dirname(to), 'clone', '-q', from, to);
  settle(to);
  return to;
}

/** The manifests opened while `run` runs (the loader opens each file it reads). */
function opened<T>(run: () => T): { result: T; files: string[] } {
  // the module itself: what `import * as fs` gives is a copy whose properties cannot be replaced, and the
  // loader's copy reads through to the module's
  const spy = jest.spyOn(require('fs') as typeof fs, 'openSync');
  try {
    const result = run();
    const files = spy.mock.calls.map((c) => String(c[0])).filter((f) => /\.ya?ml$/.test(f));
    return { result, files };
  } finally {
    spy.mockRestore();
  }
}

describe('analyze --cache in a git work tree', () => {
  withGit('a fresh checkout of an unchanged commit is answered without reading a manifest, with the uncached report', () => {
    const from = origin();
    const work = path.join(scratch('cache-git-ci-'), 'repo');
    const cache = scratch('cache-git-cache-');
    checkout(from, work);
    const plain = analyzePaths([work]);
    expect(plain.loadErrors.map((e) => e.message)).toEqual([expect.stringMatching(/UTF-8/)]);
    // the run that fills the cache reads every file
    const fill = opened(() => analyzePaths([work], { cacheDir: cache, workerThreads: 0 }));
    expect(fill.result).toEqual(plain);
    expect(fill.files).toHaveLength(7);
    // the next CI run: a new checkout at the same place
    checkout(from, work);
    const hit = opened(() => analyzePaths([work], { cacheDir: cache, workerThreads: 0 }));
    expect(hit.result).toEqual(plain);
    expect(hit.files).toEqual([]);
    // and on worker threads (which stat the files for the calling thread)
    checkout(from, work);
    expect(analyzePaths([work], { cacheDir: cache, workerThreads: 1 })).toEqual(plain);
  });

  withGit('a checkout of the next commit reads and parses only the changed file, and looks again only at it after reading', () => {
    const from = origin();
    const work = path.join(scratch('cache-git-next-'), 'repo');
    const cache = scratch('cache-git-cache-');
    checkout(from, work);
    analyzePaths([work], { cacheDir: cache, workerThreads: 0 });
    // the next commit changes one file; CI checks it out afresh
    fs.writeFileSync(path.join(from, 'a', 'plugin.yaml'), PLUGIN('z'));
    git(from, 'commit', '-q', '-a', '-m', 'one file');
    checkout(from, work);
    const spy = jest.spyOn(require('fs') as typeof fs, 'lstatSync');
    let run: ReturnType<typeof opened>;
    let lstats: string[];
    try {
      run = opened(() => analyzePaths([work], { cacheDir: cache, workerThreads: 0 }));
      lstats = spy.mock.calls.map((c) => String(c[0])); // (restoring the spy clears its calls)
    } finally {
      spy.mockRestore();
    }
    expect(run.result).toEqual(analyzePaths([work]));
    // the unchanged files are not opened: git names their objects, and the cache knows the parse of each; the
    // changed one is read (to hash it, then to parse it), and so is the one that is not UTF-8 (its read error is
    // kept nowhere but in the report)
    expect(run.files.map((f) => path.relative(work, f)).sort()).toEqual([path.join('a', 'plugin.yaml'), path.join('a', 'plugin.yaml'), path.join('b', 'latin1.yaml')]);
    // every manifest looked at once before reading; after reading, only the one whose content the cache had
    // never seen as a git object (the others' hashes are known to be the objects the index names), and the one
    // that is not UTF-8 (a file that cannot be read leaves no kept content to remember its object by)
    const statted = lstats.filter((f) => /\.ya?ml$/.test(f));
    expect(statted.filter((f) => f.endsWith(path.join('a', 'plugin.yaml')))).toHaveLength(2);
    expect(statted.filter((f) => f.endsWith('latin1.yaml'))).toHaveLength(2);
    expect(statted).toHaveLength(7 + 2);
    // and a checkout of it again is a hit, reading nothing
    checkout(from, work);
    const hit = opened(() => analyzePaths([work], { cacheDir: cache, workerThreads: 0 }));
    expect(hit.files).toEqual([]);
    expect(hit.result).toEqual(run.result);
  });

  withGit('a link to a file git vouches for is that file, where a link to a copy of it is another', () => {
    // git vouches for a/plugin.yaml by its stat data; the link is read, and its identity is the file it reaches:
    // the two runs differ only in whether those are one file
    const from = origin();
    const work = path.join(scratch('cache-git-link-'), 'repo');
    const outside = scratch('cache-git-outside-');
    const cache = scratch('cache-git-cache-');
    checkout(from, work);
    fs.copyFileSync(path.join(work, 'a', 'plugin.yaml'), path.join(outside, 'copy.yaml'));
    const link = path.join(work, 'c', 'same.yaml');
    fs.symlinkSync(path.join(outside, 'copy.yaml'), link);
    const two = analyzePaths([work]);
    expect(analyzePaths([work], { cacheDir: cache, workerThreads: 0 })).toEqual(two);
    fs.unlinkSync(link);
    fs.symlinkSync(path.join(work, 'a', 'plugin.yaml'), link);
    const one = analyzePaths([work]);
    expect(one.summary.objects).toBe(two.summary.objects - 1);
    const run = opened(() => analyzePaths([work], { cacheDir: cache, workerThreads: 0 }));
    expect(run.result).toEqual(one);
    expect(run.files).not.toContain(path.join(work, 'a', 'plugin.yaml')); // vouched for by git, not read
  });

  withGit('a change git itself would not see (same size, the old times put back) is read, and gives its own report', () => {
    const from = origin();
    const work = checkout(from, path.join(scratch('cache-git-change-'), 'repo'));
    const cache = scratch('cache-git-cache-');
    const before = analyzePaths([work], { cacheDir: cache, workerThreads: 0 });
    const file = path.join(work, 'a', 'plugin.yaml');
    const st = fs.statSync(file);
    fs.writeFileSync(file, PLUGIN('z'));
    fs.utimesSync(file, st.atime, st.mtime);
    expect(fs.statSync(file).size).toBe(st.size);
    const now = analyzePaths([work]);
    expect(now).not.toEqual(before);
    const run = opened(() => analyzePaths([work], { cacheDir: cache, workerThreads: 0 }));
    expect(run.result).toEqual(now);
    expect(run.files).toContain(file);
    // and then that state is itself kept: answered again without parsing
    expect(analyzePaths([work], { cacheDir: cache, workerThreads: 0 })).toEqual(now);
  });

  withGit('an untracked file, and entries written in the moment the index was (racily clean), are read', () => {
    const from = origin();
    const work = checkout(from, path.join(scratch('cache-git-untracked-'), 'repo'));
    const cache = scratch('cache-git-cache-');
    analyzePaths([work], { cacheDir: cache, workerThreads: 0 });
    const extra = path.join(work, 'c', 'extra.yaml');
    fs.writeFileSync(extra, PLUGIN('c').replace('name: auth', 'name: auth-2'));
    const run = opened(() => analyzePaths([work], { cacheDir: cache, workerThreads: 0 }));
    expect(run.result).toEqual(analyzePaths([work]));
    expect(run.files).toContain(extra);
    expect(run.result.summary.objects).toBe(7 + 1 - 1); // 3 plugins, 3 namespaces, the new one; the Latin-1 file reads as nothing
    // the index older than every entry: git would hash each again, and so every file is read (and the answer kept)
    const past = new Date(Date.now() - 9000_000);
    fs.utimesSync(path.join(work, '.git', 'index'), past, past);
    const racy = opened(() => analyzePaths([work], { cacheDir: cache, workerThreads: 0 }));
    expect(racy.result).toEqual(analyzePaths([work]));
    expect(racy.files).toHaveLength(8);
  });
});

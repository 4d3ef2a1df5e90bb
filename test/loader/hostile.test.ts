// Input that once hung the loader (and so analyze, simulate and the validation plugin), or crashed it. It runs
// in a child process with a time limit and a small heap, so a regression fails this test instead of hanging the
// suite. The CLI's wording of the same errors is tested in-process (limits.test.ts, hostile-input.test.ts).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const LIMIT_MS = 20_000; // about a second when it works; a regression would hang or die

function runHostile(): Map<string, any> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
  try {
    const r = spawnSync(process.execPath, ['--max-old-space-size=128', '-r', 'sucrase/register/ts', path.join(__dirname, 'hostile-run.ts'), dir], {
      cwd: ROOT, encoding: 'utf8', timeout: LIMIT_MS, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.test.json') },
    });
    const done = new Map(r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).map((c) => [c.name, c]));
    if (r.error || r.status !== 0) {
      throw new Error(`the child ${r.error ? `was stopped (${String(r.error)})` : `exited ${r.status} (signal ${r.signal})`} after ${[...done.keys()].join(', ') || 'no case'}; stderr: ${r.stderr.slice(0, 500)}`);
    }
    return done;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('hostile input to the loader, in a child with 20 s and a 128 MB heap', () => {
  let done: Map<string, any>;
  beforeAll(() => { done = runHostile(); }, LIMIT_MS + 5000);
  const result = (name: string) => {
    const c = done.get(name);
    if (!c) throw new Error(`case ${name} did not finish`);
    if (c.crash) throw new Error(`case ${name} threw: ${c.crash}`);
    return c.result;
  };

  test('a FIFO named *.yaml is refused instead of blocking the read, in a folder and named alone', () => {
    expect(result('FIFO named *.yaml')).toEqual([
      { objects: 1, errors: ['fifo/pipe.yaml:0: a named pipe (FIFO), not a regular file; only regular files are read'] },
      { objects: 0, errors: ['fifo/pipe.yaml:0: a named pipe (FIFO), not a regular file; only regular files are read'] },
    ]);
  });

  test('pipes where the analyze cache keeps its parses and reports are misses, not a read that waits forever', () => {
    expect(result('FIFOs in the analyze cache')).toEqual({ pipes: 2, same: true });
  });

  test('a device behind a *.yaml link is refused instead of read without end', () => {
    expect(result('device named *.yaml')).toEqual({ objects: 1, errors: ['dev/zero.yaml:0: a character device, not a regular file; only regular files are read'] });
  });

  test('a folder with links back to itself is read once', () => {
    expect(result('symbolic link loops')).toEqual({ objects: 1, errors: [] });
  });

  test('nesting deeper than 100 levels is a clear error, not a stack overflow, and the next parse still works', () => {
    const [flow, block, again, batch] = result('deep nesting');
    for (const r of [flow, block, again]) {
      expect(r.objects).toBe(0);
      expect(r.errors).toEqual([expect.stringMatching(/^(flow\.yaml:4|block\.yaml:104): nesting is deeper than 100 levels; Kubernetes objects are far shallower/)]);
    }
    expect(batch).toEqual({ error: { file: 'checks.yaml', line: 1, column: 102, message: expect.stringMatching(/^nesting is deeper than 100 levels/) } });
  });

  test('on a worker thread every limit holds, with the errors the calling thread gives', () => {
    // GIVEN a folder of every hostile input, read by a worker thread alone (the calling thread takes no file)
    const r = result('every limit on a worker thread');
    // THEN the worker's load is the single-threaded one, error for error
    expect(r.same).toBe(true);
    expect(r.onWorker).toEqual(r.single);
    expect(r.onWorker.objects).toBe(1);
    expect(r.onWorker.errors).toEqual([
      'all/dangling.yaml:0: a symbolic link to nothing (its target does not exist)',
      'all/big.yaml:0: is 12068 bytes, more than the 10000 bytes a file may have; split it, or raise the limit (--max-file-size)',
      expect.stringMatching(/^all\/block\.yaml:104: nesting is deeper than 100 levels/),
      'all/bomb.yaml:6: aliases would expand this document without bound (an alias bomb?); write the values out',
      expect.stringMatching(/^all\/dup\.yaml:4: duplicate key "metadata" in one map/),
      expect.stringMatching(/^all\/flow\.yaml:4: nesting is deeper than 100 levels/),
      'all/latin1.yaml:4: is not valid UTF-8 (byte 0xe9 at column 4); save the file as UTF-8',
      'all/pipe.yaml:0: a named pipe (FIFO), not a regular file; only regular files are read',
      'all/zero.yaml:0: a character device, not a regular file; only regular files are read',
    ]);
  });
});

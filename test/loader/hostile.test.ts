// Input that once hung analyze and simulate, exhausted memory or crashed them. It runs in a child process
// with a time limit and a small heap, so a regression fails this test instead of hanging the suite.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const LIMIT_MS = 25_000; // the child takes 2-4 s; a regression would hang or die

function runHostile(): Map<string, { ms: number; results: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
  try {
    const r = spawnSync(process.execPath, ['--max-old-space-size=256', '--stack-size=984', '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'hostile-run.ts'), dir], {
      cwd: ROOT, encoding: 'utf8', timeout: LIMIT_MS, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.test.json') },
    });
    const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const crash = lines.find((l) => l.crash);
    if (crash) throw new Error(`the child crashed: ${crash.crash}`);
    const done = new Map(lines.map((l) => [l.name, l]));
    if (r.error || r.status !== 0) {
      throw new Error(`the child ${r.error ? `was stopped (${String(r.error)})` : `exited ${r.status} (signal ${r.signal})`} after ${[...done.keys()].join(', ') || 'no case'}; stderr: ${r.stderr.slice(0, 500)}`);
    }
    return done;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const split = (s: string): [number, string] => [Number(s.split('|')[0]), s.slice(s.indexOf('|') + 1)];

describe('hostile input, in a child with 25 s and a 256 MB heap', () => {
  let done: Map<string, { ms: number; results: string[] }>;
  beforeAll(() => { done = runHostile(); }, LIMIT_MS + 5000);
  const result = (name: string, i = 0) => {
    const c = done.get(name);
    if (!c) throw new Error(`case ${name} did not finish`);
    return split(c.results[i]);
  };

  test('a 754-byte alias bomb in the "key":&anchor form is one LOAD error, at once', () => {
    const [exit, text] = result('alias bomb');
    expect(exit).toBe(2);
    expect(text).toMatch(/^error LOAD .*bomb\.yaml:7: aliases would expand this document without bound \(an alias bomb\?\)/m);
    expect(done.get('alias bomb')!.ms).toBeLessThan(5000);
  });

  test('a FIFO named *.yaml is refused by analyze and simulate instead of blocking them', () => {
    const [a, aText] = result('FIFO named *.yaml', 0);
    expect(a).toBe(2);
    expect(aText).toMatch(/^error LOAD .*pipe\.yaml: a named pipe \(FIFO\), not a regular file; only regular files are read$/m);
    expect(aText).toMatch(/in 1 object from 2 files; 1 input error/);
    const [s, sText] = result('FIFO named *.yaml', 1);
    expect(s).toBe(2);
    expect(sText).toMatch(/^error: manifests: .*pipe\.yaml: a named pipe \(FIFO\)/);
  });

  test('a device behind a *.yaml link is refused instead of read without end', () => {
    const [exit, text] = result('device named *.yaml');
    expect(exit).toBe(2);
    expect(text).toMatch(/zero\.yaml: a character device, not a regular file/);
  });

  test('a folder with links back to itself is read once', () => {
    const [exit, text] = result('symbolic link loops');
    expect(exit).toBe(0);
    expect(text).toMatch(/in 1 object from 1 file$/m);
  });

  test('nesting deeper than 100 levels is a clear LOAD error, not a stack overflow, and the next file still parses', () => {
    for (const i of [0, 1, 2]) {
      const [exit, text] = result('deep nesting', i);
      expect(exit).toBe(2);
      expect(text).toMatch(/^error LOAD .*\.yaml:\d+: nesting is deeper than 100 levels/m);
      expect(text).not.toMatch(/call stack/);
    }
  });

  test('a batch file nested too deep is refused by the same limit', () => {
    const [exit, text] = result('deep batch file');
    expect(exit).toBe(2);
    expect(text).toMatch(/^error: .*checks\.yaml:1: nesting is deeper than 100 levels/);
  });
});

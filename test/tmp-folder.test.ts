// The run's temporary folder (test/global-setup.js): what a test and what a process it starts get from os.tmpdir()
// is the one folder global-teardown.js removes, so scratch folders nobody removes do not pile up in /tmp.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

describe('the run\'s temporary folder', () => {
  test('os.tmpdir() is the run\'s own folder, in this worker and in a process it starts', () => {
    const dir = os.tmpdir();
    expect(path.basename(dir)).toMatch(/^cdk8s-istio-ambient-test-/);
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    expect([process.env.TMPDIR, process.env.TMP, process.env.TEMP]).toEqual([dir, dir, dir]);
    expect(execFileSync(process.execPath, ['-e', 'process.stdout.write(require("os").tmpdir())'], { encoding: 'utf8' })).toBe(dir);
  });
});

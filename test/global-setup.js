// One scratch folder per jest run, under the system's temporary folder, as the temporary folder of everything the
// run starts. Tests make their scratch folders with os.tmpdir() and many never remove them; cdk8s' Testing.app()
// makes a `cdk8s.outdir.*` folder per chart and never removes it; the CLI, example apps and bench runs the tests
// spawn make their own. Pointing TMPDIR (TMP and TEMP, which os.tmpdir() reads on other platforms) at this folder
// puts all of them in it, and global-teardown.js removes it whatever the tests did.
//
// Jest runs this in its own process before it starts the test workers; the workers are forked after, with this
// process's environment, so they and every child process they start inherit it (test/tmp-folder.test.ts checks).
// Jest's own cache (cacheDirectory) is resolved before this runs, so it stays where it was and keeps serving the
// next run. Plain JS: jest loads this without a transform.
const fs = require('fs');
const os = require('os');
const path = require('path');

const VARS = ['TMPDIR', 'TMP', 'TEMP'];
const KEY = Symbol.for('cdk8s-istio-ambient.test-tmp');

module.exports = function globalSetup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-ambient-test-'));
  const saved = Object.fromEntries(VARS.map((name) => [name, process.env[name]]));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  // jest skips globalTeardown when it ends the run with process.exit (--bail, a failing globalTeardown of another
  // kind): the folder goes then on the way out
  process.once('exit', remove);
  for (const name of VARS) process.env[name] = dir;
  globalThis[KEY] = { dir, saved, remove };
};

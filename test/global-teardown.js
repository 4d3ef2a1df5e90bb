// Removes the run's scratch folder global-setup.js made, with everything the tests and their child processes left
// in it, and gives TMPDIR, TMP and TEMP back their values (in watch mode the next run makes its folder where the
// first one did).
const KEY = Symbol.for('cdk8s-istio-ambient.test-tmp');

module.exports = function globalTeardown() {
  const run = globalThis[KEY];
  if (!run) return;
  delete globalThis[KEY];
  for (const [name, value] of Object.entries(run.saved)) {
    if (value === undefined) delete process.env[name]; else process.env[name] = value;
  }
  process.removeListener('exit', run.remove);
  run.remove();
};

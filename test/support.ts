// What many test files need beside their subject: running the CLI with its output captured, scratch folders,
// reading a written tree back, running an example app into a scratch CDK8S_OUTDIR. (Finding synthesized objects
// is helpers.ts; the seed's objects and simulator shortcuts are simulate/helpers.ts.)
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository root: where the CLI runs, so `dist` and `examples/...` resolve as in the docs. */
export const ROOT = path.join(__dirname, '..');

/** One CLI run. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** stdout and stderr interleaved, as a terminal shows them. */
  readonly output: string;
}

/** Runs `cdk8s-istio-ambient <argv>` in-process from the repository root, capturing what it writes. */
export async function cli(...argv: string[]): Promise<CliRun> {
  // loaded on first use: test files that only need a scratch folder do not load the whole CLI
  const { runCli } = require('../src/cli/program') as typeof import('../src/cli/program');
  let out = '';
  let err = '';
  let output = '';
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const code = await runCli(argv, { out: (t) => { out += t; output += t; }, err: (t) => { err += t; output += t; } });
    return { code, out, err, output };
  } finally {
    process.chdir(cwd);
  }
}

/** Whether git can be run here (tests of what git's index says are skipped without it). */
export const hasGit = (() => {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** `test` where git can be run, else `test.skip`. */
export const withGit = hasGit ? test : test.skip;

/** git in `cwd` with no configuration but ours: the machine's own cannot change what it writes. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

let settled = 0;

/**
 * Sets the times of every file of a work tree an hour back, then lets git record them: no entry is then racily
 * clean (written in the moment its index was), which git would hash again and the analyze cache would read.
 */
export function settle(dir: string): void {
  // each call a time of its own, whole seconds apart: git compares whole seconds, and would not see a second call
  const past = new Date(Date.now() - 3600_000 - 2000 * settled++);
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) fs.utimesSync(p, past, past);
    }
  };
  walk(dir);
  git(dir, 'update-index', '-q', '--really-refresh');
}

/**
 * A new empty folder under the system's temporary folder, which in a jest run is the run's own (test/global-setup.js):
 * what the caller does not remove goes with it at the end of the run.
 */
export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes `files` (paths relative to `root`, `/`-separated) below `root`, making folders as needed; returns `root`. */
export function writeFiles(root: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return root;
}

/**
 * Every file below `dir` with its text, keyed by its `/`-separated path (a link as `-> <target>`, never followed);
 * `{}` when `dir` does not exist. The paths in `skip` (relative to `dir`) are left out.
 */
export function fileTree(dir: string, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (skip.includes(r)) continue;
      if (e.isSymbolicLink()) out[r] = `-> ${fs.readlinkSync(path.join(dir, r))}`;
      else if (e.isDirectory()) walk(r);
      else out[r] = fs.readFileSync(path.join(dir, r), 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out;
}

/** Runs an example app (its `main.ts`) with CDK8S_OUTDIR set to a scratch folder; returns what it wrote. */
export function synthExample(main: string, prefix: string): Record<string, string> {
  const outdir = tmpDir(prefix);
  const before = process.env.CDK8S_OUTDIR;
  process.env.CDK8S_OUTDIR = outdir;
  try {
    // (ts-jest type-checks main.ts as it loads it)
    jest.isolateModules(() => require(main));
    return fileTree(outdir);
  } finally {
    if (before === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = before;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Whether kubectl is on the PATH (the kustomize checks run only then). */
export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A Namespace enrolled in ambient mode, as YAML (the analyze cache tests' input). */
export function ambientNamespaceYaml(namespace: string): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n  labels:\n    istio.io/dataplane-mode: ambient\n`;
}

/**
 * A basic-auth WasmPlugin at a waypoint of `namespace`, as YAML (the analyze cache tests' input): `spec` is YAML
 * added after `phase`, `credentials` makes one rule holding them.
 */
export function authPluginYaml(namespace: string, options: { name?: string; waypoint?: string; spec?: string; credentials?: readonly string[] } = {}): string {
  const rules = options.credentials === undefined ? ''
    : `  pluginConfig:\n    basic_auth_rules:\n      - prefix: /\n        request_methods: [GET]\n        credentials:\n${options.credentials.map((c) => `          - "${c}"\n`).join('')}`;
  return `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata:
  name: ${options.name ?? 'auth'}
  namespace: ${namespace}
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  phase: AUTHN${options.spec ?? ''}
${rules}  targetRefs:
    - kind: Gateway
      group: gateway.networking.k8s.io
      name: ${options.waypoint ?? 'waypoint'}
`;
}

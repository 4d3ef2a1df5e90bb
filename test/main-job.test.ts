// The seed's main job (scripts/synth.js, run by `npm run synth` and by `cdk8s synth` through cdk8s.yaml) writes
// the GitOps tree in place: a failed synth leaves the committed tree as it was, and our own errors are one line.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';

const ROOT = path.join(__dirname, '..');
const SYNTH = path.join(ROOT, 'scripts', 'synth.js');

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name)); else out.push(path.relative(dir, path.join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

function run(command: string, args: string[], env: Record<string, string | undefined>) {
  return spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', CDK8S_ISTIO_AMBIENT_QUIET: '1', ...env } });
}

describe('the seed main job', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'main-job-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('writes the tree the committed dist/ holds, and hard-links a copy into the folder cdk8s synth passes', () => {
    const tree = path.join(tmp, 'dist');
    const cliOut = path.join(tmp, 'cdk8s.out');
    // quiet without CDK8S_CHECK_UPGRADE: the main job does not start the cdk8s CLI, so it has no upgrade check to print
    const r = run(process.execPath, [SYNTH], { GITOPS_OUTDIR: tree, CDK8S_OUTDIR: cliOut, CDK8S_CHECK_UPGRADE: undefined });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(files(tree)).toEqual(files(path.join(ROOT, 'dist')));
    for (const f of files(tree)) expect(fs.readFileSync(path.join(tree, f), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'dist', f), 'utf8'));
    expect(files(cliOut)).toEqual(files(tree));
    const [a, b] = [fs.statSync(path.join(tree, 'default', 'kustomization.yaml')), fs.statSync(path.join(cliOut, 'default', 'kustomization.yaml'))];
    expect(b.ino).toBe(a.ino);
  });

  test('fails in one line, no stack, and leaves the committed tree untouched', () => {
    const tree = path.join(tmp, 'dist');
    fs.mkdirSync(path.join(tree, 'default'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'default', 'kustomization.yaml'), 'committed\n');
    fs.writeFileSync(path.join(tree, 'README.md'), 'hand-written\n');
    // a namespace name the Namespace construct refuses, through the seed app's own switch
    const r = run(process.execPath, [SYNTH], { GITOPS_OUTDIR: tree, SEED_LEGACY_NAMESPACE: 'Not_A_Name' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*Namespace Not_A_Name \(Not_A_Name\): metadata\.name: .*"Not_A_Name"/);
    expect(r.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(files(tree)).toEqual(['README.md', 'default/kustomization.yaml']);
    expect(fs.readFileSync(path.join(tree, 'default', 'kustomization.yaml'), 'utf8')).toBe('committed\n');
  });

  test('cdk8s synth through cdk8s.yaml: a failed synth deletes only its scratch folder, never the committed tree', () => {
    const config = YAML.parse(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8'));
    expect(config).toMatchObject({ app: 'node scripts/synth.js', output: 'cdk8s.out' });
    expect(fs.readFileSync(path.join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('cdk8s.out/');
    const tree = path.join(tmp, 'dist');
    fs.mkdirSync(tree);
    fs.writeFileSync(path.join(tree, 'kept.yaml'), 'kind: Kept\n');
    const cliOut = path.join(tmp, 'scratch');
    const r = run(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '-o', cliOut],
      { GITOPS_OUTDIR: tree, SEED_LEGACY_NAMESPACE: 'Not_A_Name' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*metadata\.name: .*"Not_A_Name"/m);
    expect(files(tree)).toEqual(['kept.yaml']);
    expect(fs.existsSync(cliOut)).toBe(false);
  }, 30_000);

  test('the README says how to silence the cdk8s CLI\'s upgrade check where it sets things up, and names npm run synth', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const setUp = readme.slice(readme.indexOf('## Set-up and test'), readme.indexOf('## Install into your cdk8s app'));
    // the set-up command CI runs on a fresh clone, as the project's standards name it
    expect(setUp).toMatch(/^npm ci && npx cdk8s synth /m);
    expect(setUp).toContain('npm run synth');
    expect(setUp).toContain('CDK8S_CHECK_UPGRADE=false');
    const install = readme.slice(readme.indexOf('## Install into your cdk8s app'), readme.indexOf('## The smallest working example'));
    expect(install).toContain('CDK8S_CHECK_UPGRADE=false');
    expect(install).toContain('node -r sucrase/register/ts main.ts');
  });
});

// The jsii assembly (`npm run build` writes .jsii) and the API.md generated from it. Both need a build that is
// newer than every source file; without one these tests skip and say why (.ci/run builds first, so they run there).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const ASSEMBLY = path.join(ROOT, '.jsii');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function whyNot(): string | undefined {
  if (!fs.existsSync(ASSEMBLY)) return 'no .jsii: run `npm run build`';
  if (fs.statSync(ASSEMBLY).mtimeMs < newestSource(path.join(ROOT, 'src'))) return '.jsii is older than src/: run `npm run build`';
  return undefined;
}

const reason = whyNot();
const maybe = reason ? describe.skip : describe;
if (reason) {
  describe('jsii assembly', () => test.skip(`skipped: ${reason}`, () => undefined));
}

maybe('jsii assembly', () => {
  const assembly = reason ? undefined : JSON.parse(fs.readFileSync(ASSEMBLY, 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

  test('every runtime dependency is bundled (add a new one to bundledDependencies), and jsii dependencies are peers', () => {
    expect(Object.keys(assembly.bundled).sort()).toEqual(Object.keys(pkg.dependencies).sort());
    expect([...pkg.bundledDependencies].sort()).toEqual(Object.keys(pkg.dependencies).sort());
    expect(Object.keys(assembly.dependencies).filter((d) => !(d in pkg.peerDependencies))).toEqual([]);
    expect(Object.keys(assembly.dependencies)).toEqual(expect.arrayContaining(['cdk8s', 'constructs']));
  });

  test('AmbientNamespace has enclosing(); the TypeScript-only of() is not in the assembly', () => {
    const methods = assembly.types['cdk8s-istio-ambient.AmbientNamespace'].methods.map((m: any) => m.name);
    expect(methods).toContain('enclosing');
    expect(methods).not.toContain('of');
  });

  test('everything src/index.ts exports as a class, interface or enum is a jsii type', () => {
    const index = fs.readFileSync(path.join(ROOT, 'src', 'index.ts'), 'utf8');
    const named = [...index.matchAll(/export \{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((s) => s.trim()).filter(Boolean));
    const types = new Set(Object.keys(assembly.types).map((fqn) => fqn.replace(/^cdk8s-istio-ambient\./, '')));
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((n) => !types.has(n))).toEqual([]);
  });

  test('API.md is what jsii-docgen generates from the assembly (run `npm run docs:api` after an API change)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'api-md-'));
    try {
      const bin = path.join(ROOT, 'node_modules', '.bin', 'jsii-docgen');
      execFileSync(bin, ['--output', path.join(out, 'API.md')], {
        cwd: ROOT, stdio: 'pipe', env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
      });
      const fresh = fs.readFileSync(path.join(out, 'API.md'), 'utf8');
      const committed = fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8');
      expect(committed === fresh).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

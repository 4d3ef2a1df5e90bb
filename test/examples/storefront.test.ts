// The second example app (examples/storefront): its committed output is what it synthesizes, analyze finds
// nothing in it, and its batch checks pass. The docs' sessions on it are re-run by test/cli/simulate-readme.test.ts.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../src/cli/program';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'storefront');
const COMMITTED = path.join(EXAMPLE, 'dist');

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out[f.split(path.sep).join('/')] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const code = await runCli(argv, { out: (t) => { out += t; }, err: (t) => { out += t; } });
    return { code, out };
  } finally {
    process.chdir(cwd);
  }
}

describe('examples/storefront', () => {
  test('the committed dist/ is exactly what the app synthesizes into $CDK8S_OUTDIR (regenerate: npx ts-node -T examples/storefront/main.ts)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'storefront-'));
    const before = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = outdir;
    try {
      jest.isolateModules(() => require(path.join(EXAMPLE, 'main.ts')));
      expect(tree(outdir)).toEqual(tree(COMMITTED));
    } finally {
      if (before === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = before;
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('analyze reports nothing: 0 errors, 0 warnings', async () => {
    const r = await cli('analyze', 'examples/storefront/dist');
    expect(r.out).toBe('0 errors, 0 warnings in 19 objects from 19 files\n');
    expect(r.code).toBe(0);
  });

  test('its batch checks pass', async () => {
    const r = await cli('simulate', '--manifests', 'examples/storefront/dist', '--requests', 'examples/storefront/checks.yaml');
    expect(r.out).toMatch(/all 8 checks passed\n$/);
    expect(r.code).toBe(0);
  });
});

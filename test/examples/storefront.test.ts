// The second example app (examples/storefront): its committed output is what it synthesizes, analyze finds
// nothing in it, and its batch checks pass. The docs' sessions on it are re-run by test/cli/simulate-readme.test.ts.
import * as path from 'path';
import { ROOT, cli, fileTree, synthExample } from '../support';

const EXAMPLE = path.join(ROOT, 'examples', 'storefront');
const COMMITTED = path.join(EXAMPLE, 'dist');

describe('examples/storefront', () => {
  test('the committed dist/ is exactly what the app synthesizes into $CDK8S_OUTDIR (regenerate: npx ts-node -T examples/storefront/main.ts)', () => {
    expect(synthExample(path.join(EXAMPLE, 'main.ts'), 'storefront-')).toEqual(fileTree(COMMITTED));
  });

  test('analyze reports nothing: 0 errors, 0 warnings', async () => {
    const r = await cli('analyze', 'examples/storefront/dist');
    expect(r.output).toBe('0 errors, 0 warnings in 19 objects from 19 files\n');
    expect(r.code).toBe(0);
  });

  test('its batch checks pass', async () => {
    const r = await cli('simulate', '--manifests', 'examples/storefront/dist', '--requests', 'examples/storefront/checks.yaml');
    expect(r.output).toMatch(/all 8 checks passed\n$/);
    expect(r.code).toBe(0);
  });
});

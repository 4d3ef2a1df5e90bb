import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzePaths } from '../../src/analyze';
import { SeedLayout, writeSeedManifests } from '../../scripts/scale/seed-manifests';

describe('scale generator', () => {
  test.each([SeedLayout.FILE_PER_NAMESPACE, SeedLayout.FILE_PER_RESOURCE])('writes N clean seed namespaces (%s) that analyze reads in full', (layout) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-scale-'));
    const stats = writeSeedManifests({ namespaces: 3, outDir: dir, layout });
    const result = analyzePaths([dir]);
    expect(result.summary.objects).toBe(stats.objects);
    expect(result.summary.files).toBe(stats.files);
    // the seed keeps the docs' demo credentials in plain text: BA011 warnings, nothing else
    expect(result.findings.filter((f) => f.code !== 'BA011')).toEqual([]);
    expect(result.loadErrors).toEqual([]);
    const plugins = (ns: string) => result.files.length > 0 && fs.readFileSync(layout === SeedLayout.FILE_PER_NAMESPACE ? path.join(dir, `${ns}.yaml`) : path.join(dir, ns, 'wasmplugin-basic-auth-at-waypoint.yaml'), 'utf8');
    expect(plugins('shop-0002')).toMatch(/namespace: shop-0002/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

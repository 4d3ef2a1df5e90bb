// examples/trafficextension/shop.yaml is what scripts/trafficextension-example.ts writes, and what it holds is valid
// for the API server (the pinned CRDs and their CEL rules) when ../shared/tools/validate-manifests.mjs is there.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLE_FILE, trafficExtensionExample } from '../../scripts/trafficextension-example';

const VALIDATOR = path.join(__dirname, '..', '..', '..', 'shared', 'tools', 'validate-manifests.mjs');

describe('the TrafficExtension example', () => {
  test('the committed file is what `npm run docs:examples` writes', () => {
    expect(fs.readFileSync(EXAMPLE_FILE, 'utf8')).toBe(trafficExtensionExample());
  });

  (fs.existsSync(VALIDATOR) ? test : test.skip)('passes validate-manifests (skipped without ../shared)', () => {
    const out = execFileSync(process.execPath, [VALIDATOR, path.dirname(EXAMPLE_FILE)], { encoding: 'utf8' });
    expect(out).toMatch(/10 objects, 10 valid, 0 with errors/);
  });
});

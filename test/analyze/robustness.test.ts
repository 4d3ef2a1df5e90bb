// Property tests: no input makes loader + model + rules throw, and the CLI always answers 0, 1 or 2 in one line per problem.
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { analyzeObjects } from '../../src/analyze';
import { listManifestFiles, parseManifests } from '../../src/loader/load';
import { cli, tmpDir } from '../support';

const ROOT = path.join(__dirname, '..', '..');
const REAL = listManifestFiles([path.join(ROOT, 'dist'), path.join(ROOT, 'test', 'fixtures', 'rules')]).files
  .map((f) => fs.readFileSync(f, 'utf8'));

function analyzeText(text: string): void {
  const { objects } = parseManifests(text, 'input.yaml');
  analyzeObjects(objects);
}

const KINDS: Array<[string, string]> = [
  ['v1', 'Namespace'], ['v1', 'Service'], ['v1', 'Secret'], ['v1', 'List'], ['v1', 'ServiceList'],
  ['gateway.networking.k8s.io/v1', 'Gateway'], ['gateway.networking.k8s.io/v1', 'GatewayClass'], ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
  ['networking.istio.io/v1', 'ServiceEntry'], ['extensions.istio.io/v1alpha1', 'WasmPlugin'], ['argoproj.io/v1alpha1', 'Application'],
];
const LABEL_KEYS = ['istio.io/dataplane-mode', 'istio.io/use-waypoint', 'istio.io/use-waypoint-namespace', 'istio.io/waypoint-for', 'gateway.istio.io/managed', 'app'];
const NAMES = fc.constantFrom('shop', 'cart', 'waypoint', 'edge', 'none', 'istio-system', 'istio-waypoint', '', 'x');
// any JSON value, or the shapes the rules expect with anything inside them
const loose = fc.oneof(fc.anything({ maxDepth: 3 }), NAMES);
const ref = fc.record({ group: fc.oneof(loose, fc.constantFrom('', 'gateway.networking.k8s.io', 'networking.istio.io')),
  kind: fc.oneof(loose, fc.constantFrom('Service', 'Gateway', 'GatewayClass', 'ServiceEntry')), name: fc.oneof(NAMES, loose), namespace: fc.oneof(NAMES, loose) }, { requiredKeys: [] });
const wasmSpec = fc.record({
  url: fc.oneof(loose, fc.constantFrom('oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0', 'ftp://x', '')),
  targetRefs: fc.oneof(loose, fc.array(fc.oneof(ref, loose), { maxLength: 18 })), targetRef: fc.oneof(ref, loose),
  selector: loose, sha256: loose, imagePullSecret: fc.oneof(loose, fc.constantFrom('pull', 'a/pull')), phase: loose, priority: loose,
  failStrategy: loose, type: loose, match: fc.oneof(loose, fc.array(fc.record({ mode: loose, ports: fc.oneof(loose, fc.array(fc.record({ number: loose }))) }, { requiredKeys: [] }))),
  vmConfig: fc.oneof(loose, fc.record({ env: fc.oneof(loose, fc.array(loose)) })),
  pluginConfig: fc.oneof(loose, fc.record({ realm: loose, basic_auth_rules: fc.oneof(loose, fc.array(fc.oneof(loose, fc.record({
    prefix: loose, exact: loose, suffix: loose, request_methods: fc.oneof(loose, fc.array(loose)), credentials: fc.oneof(loose, fc.array(loose)), hosts: loose,
  }, { requiredKeys: [] })))) }, { requiredKeys: [] })),
}, { requiredKeys: [] });
const gwSpec = fc.record({ gatewayClassName: fc.oneof(loose, fc.constantFrom('istio', 'istio-waypoint')), listeners: fc.oneof(loose, fc.array(fc.record({
  port: fc.oneof(loose, fc.constantFrom(15008, 80)), protocol: fc.oneof(loose, fc.constantFrom('HBONE', 'HTTP')),
  allowedRoutes: fc.oneof(loose, fc.record({ namespaces: fc.oneof(loose, fc.record({ from: fc.oneof(loose, fc.constantFrom('All', 'Same', 'Selector')), selector: loose }, { requiredKeys: [] })) })),
}, { requiredKeys: [] }))) }, { requiredKeys: [] });
const object = fc.record({
  kindPair: fc.constantFrom(...KINDS),
  metadata: fc.oneof(loose, fc.record({ name: fc.oneof(NAMES, loose), namespace: fc.oneof(NAMES, loose),
    labels: fc.oneof(loose, fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.oneof(NAMES, loose))) }, { requiredKeys: [] })),
  spec: fc.oneof(loose, wasmSpec, gwSpec), items: fc.oneof(loose, fc.array(loose, { maxLength: 3 })), type: loose,
}).map(({ kindPair, ...rest }) => ({ apiVersion: kindPair[0], kind: kindPair[1], ...rest }));

// FC_RUNS=5000 digs deeper locally; the default keeps npm test fast
const NUM_RUNS = Number(process.env.FC_RUNS ?? 150);

describe('robustness', () => {
  test('random text never makes loader, model or rules throw', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => { analyzeText(text); }), { numRuns: NUM_RUNS });
  });

  test('random YAML-ish lines never make them throw', () => {
    const line = fc.oneof(fc.constantFrom('---', '...', '- ', 'kind: WasmPlugin', 'apiVersion: v1', 'items:', '  - a', '&a x', '*a', '%YAML 1.2', '{', '[', '"', "'", '|', '  key: value', '#c'),
      fc.string({ maxLength: 20 }));
    fc.assert(fc.property(fc.array(line, { maxLength: 30 }), (lines) => { analyzeText(lines.join('\n')); }), { numRuns: NUM_RUNS });
  });

  test('objects of the known kinds with anything in their fields never make the rules throw', () => {
    fc.assert(fc.property(fc.array(object, { minLength: 1, maxLength: 8 }), (objs) => {
      analyzeObjects(objs.map((manifest, i) => ({ manifest: manifest as any, origin: `gen.yaml:${i + 1}` })));
      // and the same after a YAML round trip
      analyzeText(objs.map((o) => YAML.stringify(o)).join('---\n'));
    }), { numRuns: NUM_RUNS });
  });

  test('real manifests truncated anywhere never make them throw', () => {
    fc.assert(fc.property(fc.nat({ max: REAL.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (i, at) => {
      const text = REAL[i];
      analyzeText(text.slice(0, Math.floor(text.length * at)));
    }), { numRuns: NUM_RUNS });
  });

  test('the CLI answers 0, 1 or 2 on truncated and random input, never with a stack trace', async () => {
    const dir = tmpDir('robust-');
    const file = path.join(dir, 'input.yaml');
    await fc.assert(fc.asyncProperty(fc.nat({ max: REAL.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.string({ maxLength: 30 }), async (i, at, junk) => {
      fs.writeFileSync(file, REAL[i].slice(0, Math.floor(REAL[i].length * at)) + junk);
      const { code, output: out } = await cli('analyze', file);
      expect([0, 1, 2]).toContain(code);
      expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/);
      for (const l of out.trimEnd().split('\n').slice(0, -1)) expect(l).toMatch(/^(error|warning) [A-Z]+\d* /);
    }), { numRuns: 40 });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

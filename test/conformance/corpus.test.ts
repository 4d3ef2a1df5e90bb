// analyze on Istio 1.30.3's own YAML (../shared/reference/istio-1.30.3/corpus): no false error. Every error must be
// on a WasmPlugin the API server rejects (wasm-invalid.yaml), and every one of those must get one.
import * as fs from 'fs';
import * as path from 'path';
import { analyzePaths } from '../../src/analyze';
import { Severity } from '../../src/rules';

const CORPUS = path.join(__dirname, '..', '..', '..', 'shared', 'reference', 'istio-1.30.3', 'corpus');
const present = fs.existsSync(CORPUS);
const INVALID = 'pkg/config/validation/testdata/crds/wasm-invalid.yaml';

if (!present) {
  // eslint-disable-next-line no-console
  console.log(`skipping the Istio corpus test: ${CORPUS} is not on this machine`);
}

(present ? describe : describe.skip)('analyze on Istio 1.30.3\'s own YAML', () => {
  const result = present ? analyzePaths([CORPUS]) : undefined;
  const rel = (origin: string) => path.relative(CORPUS, origin.replace(/:\d+(#.*)?$/, ''));

  test('every file loads', () => {
    expect(result!.loadErrors).toEqual([]);
    expect(result!.internalError).toBeUndefined();
    expect(result!.summary.files).toBeGreaterThan(300);
  });

  test('errors fall only on the WasmPlugins the API server rejects, and each of them gets one', () => {
    const errors = result!.findings.filter((f) => f.severity === Severity.ERROR);
    expect([...new Set(errors.map((f) => rel(f.origin)))]).toEqual([INVALID]);
    const text = fs.readFileSync(path.join(CORPUS, INVALID), 'utf8');
    const documents = text.split(/^---$/m).filter((d) => /kind: WasmPlugin/.test(d)).length;
    expect(documents).toBe(15);
    const flagged = new Set(errors.map((f) => f.origin));
    expect(flagged.size).toBe(15);
    const codes: Record<string, number> = {};
    for (const f of errors) codes[f.code] = (codes[f.code] ?? 0) + 1;
    expect(codes).toEqual({ WASM011: 1, WASM012: 6, WASM015: 9 });
  });

  test('warnings: WASM028 on http modules without sha256, WASM027 on the IST0166 testdata', () => {
    const warnings = result!.findings.filter((f) => f.severity === Severity.WARNING);
    const codes: Record<string, number> = {};
    for (const f of warnings) codes[f.code] = (codes[f.code] ?? 0) + 1;
    expect(codes).toEqual({ WASM027: 1, WASM028: 10 });
    expect(warnings.filter((f) => f.code === 'WASM027').map((f) => `${rel(f.origin)} ${f.name}`))
      .toEqual(['pkg/config/analysis/analyzers/testdata/k8sgateway-selector.yaml wasmplugin-ineffective']);
    for (const f of warnings.filter((x) => x.code === 'WASM028')) expect(f.value).toBe('nothing');
  });
});

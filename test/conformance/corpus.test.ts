// analyze on Istio 1.30.3's own YAML (../shared/reference/istio-1.30.3/corpus), read the way Istio's own tests read
// it (corpus-expected.ts says how): every finding is one of CORPUS_ROWS, each of which names the Istio condition or
// expected output it mirrors; every error mirrors a False condition Istio writes (or, where its golden differs only by
// a flag of the harness or a port it leaves out, says so); the validation testdata keep their own checks.
import * as fs from 'fs';
import * as path from 'path';
import { analyzeObjects } from '../../src/analyze';
import { loadManifests } from '../../src/loader/load';
import { SourcedManifest } from '../../src/model/manifest';
import { Finding, Severity, severityOf } from '../../src/rules';
import { CORPUS_ROWS, VALIDATION_COUNTS, VALIDATION_DIR, WASM_INVALID } from './corpus-expected';
import { gatewayHarness } from './harness';
import { istioReason } from './istio-conditions';

const CORPUS = path.join(__dirname, '..', '..', '..', 'shared', 'reference', 'istio-1.30.3', 'corpus');
const present = fs.existsSync(CORPUS);

if (!present) {
  // eslint-disable-next-line no-console
  console.log(`skipping the Istio corpus test: ${CORPUS} is not on this machine`);
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

interface Unit { readonly files: string[]; readonly harness: boolean }

/** The sets analyze reads, as Istio's tests read them. */
function units(): Unit[] {
  const under = (rel: string) => yamlFiles(path.join(CORPUS, rel));
  return [
    { files: under('samples'), harness: false },
    { files: under('tests/integration/ambient/testdata'), harness: false },
    { files: under(VALIDATION_DIR), harness: false },
    ...under('pkg/config/analysis/analyzers/testdata').map((f) => ({ files: [f], harness: false })),
    ...under('pilot/pkg/config/kube/gateway/testdata').map((f) => ({ files: [f], harness: true })),
  ];
}

(present ? describe : describe.skip)('analyze on Istio 1.30.3\'s own YAML', () => {
  const all = present ? units() : [];
  const loadErrors: string[] = [];
  const findings: Finding[] = [];
  for (const u of all) {
    const loaded = loadManifests(u.files);
    loadErrors.push(...loaded.errors.map((e) => `${e.file}:${e.line}: ${e.message}`));
    const objects: SourcedManifest[] = u.harness ? [...loaded.objects, ...gatewayHarness(loaded.objects)] : loaded.objects;
    findings.push(...analyzeObjects(objects));
  }
  const rel = (origin: string) => path.relative(CORPUS, origin.replace(/:\d+(#.*)?$/, ''));
  const keyOf = (file: string, code: string, object: string) => `${file} ${code} ${object}`;

  test('every file loads, each once', () => {
    expect(loadErrors).toEqual([]);
    const files = all.flatMap((u) => u.files);
    expect(new Set(files).size).toBe(files.length);
    expect(files.length).toBeGreaterThan(300);
  });

  test('the findings are exactly the table\'s rows, object by object', () => {
    const actual = new Map<string, number>();
    for (const f of findings) {
      if (rel(f.origin).startsWith(VALIDATION_DIR)) continue;
      const k = keyOf(rel(f.origin), f.code, `${f.kind} ${f.namespace}/${f.name}`);
      actual.set(k, (actual.get(k) ?? 0) + 1);
    }
    const expected = new Map(CORPUS_ROWS.map((r) => [keyOf(r.file, r.code, r.object), r.count]));
    expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));
  });

  test('every row says what it mirrors, and an error\'s row names the reason of the condition istiod writes', () => {
    for (const r of CORPUS_ROWS) {
      expect([r.file, r.code, r.istio.length > 20]).toEqual([r.file, r.code, true]);
      expect([r.file, r.code, fs.existsSync(path.join(CORPUS, r.file))]).toEqual([r.file, r.code, true]);
    }
    for (const f of findings) {
      const reason = istioReason(f);
      if (f.severity !== Severity.ERROR || reason === undefined) continue;
      const row = CORPUS_ROWS.find((r) => r.file === rel(f.origin) && r.code === f.code && r.object === `${f.kind} ${f.namespace}/${f.name}`)!;
      expect([row.object, row.istio]).toEqual([row.object, expect.stringContaining(reason)]);
    }
    // the errors that mirror no status condition: a port the Service lacks (istiod accepts it, Envoy answers 500) and
    // a parent Gateway no manifest holds (istiod writes no status for it); their rows say why
    const unmapped = new Set(findings.filter((f) => f.severity === Severity.ERROR && istioReason(f) === undefined && !rel(f.origin).startsWith(VALIDATION_DIR))
      .map((f) => `${f.code} ${f.field.replace(/\[\d+\]/g, '[]')}`));
    expect([...unmapped].sort()).toEqual([
      'GW011 spec.rules[].backendRefs[].port',
      'GW020 spec.parentRefs[].name',
    ]);
  });

  test('validation testdata: errors fall only on the WasmPlugins the API server rejects, and each of them gets one', () => {
    const mine = findings.filter((f) => rel(f.origin).startsWith(VALIDATION_DIR));
    const errors = mine.filter((f) => f.severity === Severity.ERROR);
    expect([...new Set(errors.map((f) => rel(f.origin)))]).toEqual([WASM_INVALID]);
    const text = fs.readFileSync(path.join(CORPUS, WASM_INVALID), 'utf8');
    expect(text.split(/^---$/m).filter((d) => /kind: WasmPlugin/.test(d)).length).toBe(15);
    expect(new Set(errors.map((f) => f.origin)).size).toBe(15);
    const count = (list: Finding[]) => {
      const n: Record<string, number> = {};
      for (const f of list) n[f.code] = (n[f.code] ?? 0) + 1;
      return n;
    };
    expect(count(errors)).toEqual(VALIDATION_COUNTS.errors);
    const warnings = mine.filter((f) => f.severity === Severity.WARNING);
    expect(count(warnings)).toEqual(VALIDATION_COUNTS.warnings);
    expect(new Set(mine.map((f) => rel(f.origin))).size).toBe(VALIDATION_COUNTS.files);
    // http:// modules without sha256
    for (const f of warnings) expect(f.value).toBe('nothing');
  });

  test('the table\'s codes have the severities the figures say', () => {
    for (const r of CORPUS_ROWS) expect(['error', 'warning']).toContain(severityOf(r.code));
  });
});

// The conformance suite: every case of test/conformance/*.yaml, answered through the public surface, must give
// Istio's answer (or, for a documented deviation, ours; or `unknown` where the evidence does not decide).
import * as fs from 'fs';
import * as path from 'path';
import { Case, SOURCE, Table, answer, loadTables } from './runner';
import { FAMILIES, fidelitySummary, fidelityTable } from './figures';
import { CORPUS_ROWS, corpusFigures } from './corpus-expected';
import { severityOf } from '../../src/rules/codes';

const tables = loadTables();
const ROOT = path.join(__dirname, '..', '..');
const DECISIONS = fs.readFileSync(path.join(ROOT, 'docs', 'decisions.md'), 'utf8');

function check(table: Table, c: Case): void {
  const ours = answer(table, c);
  if (c.status === 'unknown') {
    expect(c.istio).toBe('unknown');
    expect(ours).toEqual('unknown');
  } else if (c.status === 'deviation') {
    expect(ours).toEqual(c.ours);
    expect(ours).not.toEqual(c.istio);
  } else {
    expect(ours).toEqual(c.istio);
  }
}

describe('conformance tables', () => {
  test('there is one table per family, and each is well formed', () => {
    expect(tables.map((t) => t.family).sort()).toEqual([...FAMILIES].sort());
    for (const t of tables) {
      expect(t.title).toEqual(expect.any(String));
      expect(t.sources.length).toBeGreaterThan(0);
      for (const s of t.sources) expect(s).toMatch(SOURCE);
      const names = new Set<string>();
      for (const c of t.cases) {
        const where = `${t.file}: ${c.name}`;
        expect([where, names.has(c.name)]).toEqual([where, false]);
        names.add(c.name);
        expect([where, c.source]).toEqual([where, expect.stringMatching(SOURCE)]);
        expect([where, Object.keys(c.ask).length]).toEqual([where, 1]);
        expect([where, c.istio !== undefined]).toEqual([where, true]);
        if (c.status === 'unknown' || c.status === 'deviation') expect([where, typeof c.reason]).toEqual([where, 'string']);
        if (c.status === 'deviation') {
          expect([where, typeof c.decision]).toEqual([where, 'string']);
          // the reason is recorded where users read our decisions
          expect([where, DECISIONS.includes(c.decision!)]).toEqual([where, true]);
        }
        if (c.status !== undefined) expect(['unknown', 'deviation']).toContain(c.status);
      }
    }
  });

  test('docs/fidelity.md states the figures the tables give', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'fidelity.md'), 'utf8');
    expect(doc).toContain(fidelityTable(tables));
    // the corpus figures, from the table corpus.test.ts holds Istio's own YAML to
    expect(doc).toContain(corpusFigures(CORPUS_ROWS, severityOf));
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain(fidelitySummary(tables));
  });
});

for (const table of tables) {
  describe(`${table.family}: ${table.title}`, () => {
    test.each(table.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => check(table, c));
  });
}

// Every rule code has a YAML fixture that triggers it and a fixed twin that does not (test/fixtures/rules/),
// each added to the same base. The README's rule examples are these files.
import * as fs from 'fs';
import * as path from 'path';
import { loadManifests } from '../../src/loader/load';
import { MeshModel } from '../../src/model/mesh-model';
import { Finding, RULES, formatFindingLine, runRules } from '../../src/rules';

export const RULE_FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');
const BASE = path.join(RULE_FIXTURES, 'base.yaml');

function findings(file: string): Finding[] {
  const loaded = loadManifests([BASE, file]);
  expect(loaded.errors).toEqual([]);
  return runRules(MeshModel.build(loaded.objects));
}

describe('rule fixtures', () => {
  test('the base alone raises nothing', () => {
    expect(runRules(MeshModel.build(loadManifests([BASE]).objects)).map(formatFindingLine)).toEqual([]);
  });

  test('every code has a bad and a fixed fixture, and no fixture is orphaned', () => {
    const files = fs.readdirSync(RULE_FIXTURES).filter((f) => f !== 'base.yaml').sort();
    const expected = RULES.flatMap((r) => [`${r.code}.bad.yaml`, `${r.code}.fixed.yaml`]).sort();
    expect(files).toEqual(expected);
  });

  test.each(RULES.map((r) => [r.code, r.severity] as const))('%s (%s) fires on its bad fixture, in that file, and not on its fixed twin', (code, severity) => {
    const bad = path.join(RULE_FIXTURES, `${code}.bad.yaml`);
    const hits = findings(bad).filter((f) => f.code === code);
    expect(hits.length).toBeGreaterThan(0);
    for (const f of hits) {
      expect(f.severity).toBe(severity);
      expect(f.origin.startsWith(`${bad}:`)).toBe(true);
    }
    // the fixed twin is clean: not only this code, nothing at all (the examples write credentials in plain text
    // for readability; BA011's own pair shows how to keep them out of Git)
    const rest = findings(path.join(RULE_FIXTURES, `${code}.fixed.yaml`)).filter((f) => f.code !== 'BA011' || code === 'BA011');
    expect(rest.map(formatFindingLine)).toEqual([]);
  });
});

// The citations of the conformance tables: each one was checked against the pinned source (the lock says so, and
// what was checked), the lock holds no citation the tables dropped, and the checker itself finds what is wrong.
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { CitationLock, LOCK, collectCitations, lockProblems, parseCitation } from './citations';
import { REPOSITORIES, checkText, lockOf, verifyCitations } from '../../scripts/citations/verify';

const ROOT = path.join(__dirname, '..', '..');
const lock: CitationLock = JSON.parse(fs.readFileSync(LOCK, 'utf8'));
const { uses, errors } = collectCitations(__dirname, ROOT);

describe('the citations of the conformance tables', () => {
  test('every table is read, and every citation has the form', () => {
    expect(errors).toEqual([]);
    expect(uses.length).toBeGreaterThan(400);
    const bad = uses.map((u) => [u, parseCitation(u.text)] as const).filter(([, p]) => 'error' in p).map(([u, p]) => `${u.file}:${u.line}: ${JSON.stringify(p)}`);
    expect(bad).toEqual([]);
  });

  test('every citation was verified against its source (the lock holds it), and the lock holds no other', () => {
    expect(lockProblems(uses, lock)).toEqual([]);
  });

  test('the lock tells a new or edited citation, and one no case uses any more', () => {
    const first = uses[0];
    const edited = [...uses.filter((u) => u.text !== first.text), { ...first, text: `${first.text} "edited"` }];
    const problems = lockProblems(edited, lock);
    expect(problems).toContain(`${first.file}:${first.line}: ${first.text} "edited": not in citations.lock.json; verify it (npm run verify:citations -- --write)`);
    expect(problems).toContain(`citations.lock.json: ${first.text}: no case cites it; re-write the lock (npm run verify:citations -- --write)`);
  });

  const envs = REPOSITORIES.filter((r) => lock.citations.some((c) => lock.files[c.file]?.repository === r.repository));
  const missing = envs.filter((r) => !process.env[r.env]).map((r) => r.env);
  const run = missing.length === 0 ? test : test.skip;
  run(`re-checked against the sources (${missing.length === 0 ? 'git dirs given' : `skipped: set ${missing.join(', ')} to the git dirs to re-run`})`, () => {
    const dirs = Object.fromEntries(REPOSITORIES.map((r) => [r.id, process.env[r.env]]));
    const checked = verifyCitations(uses, dirs);
    expect(checked.filter((c) => c.problems.length > 0).map((c) => `${c.citation}: ${c.problems.join('; ')}`)).toEqual([]);
    expect(lockOf(checked)).toEqual(lock);
  });
});

describe('parseCitation', () => {
  test('reads each part of a citation', () => {
    expect(parseCitation('istio@1.30.3:pilot/pkg/model/policyattachment.go ShouldAttachPolicy, isSelected "p.IsWaypoint" (a note (nested))')).toEqual({
      text: 'istio@1.30.3:pilot/pkg/model/policyattachment.go ShouldAttachPolicy, isSelected "p.IsWaypoint" (a note (nested))',
      prefix: 'istio', ref: '1.30.3', path: 'pilot/pkg/model/policyattachment.go',
      terms: [
        { kind: 'word', value: 'ShouldAttachPolicy', joined: 'first' },
        { kind: 'word', value: 'isSelected', joined: 'comma' },
        { kind: 'quote', value: 'p.IsWaypoint' },
        { kind: 'note', value: 'a note (nested)' },
      ],
    });
    expect(parseCitation('wasmext@1.12.0:extensions/basic_auth/plugin_test.cc:226 PrefixAllow')).toMatchObject({ line: 226, path: 'extensions/basic_auth/plugin_test.cc' });
    // a quote may hold quotes: it ends at a quote followed by the end, a space, a comma or a parenthesis
    expect(parseCitation('istio@1.30.3:a.yaml "must be of type string: "null""')).toMatchObject({ terms: [{ kind: 'quote', value: 'must be of type string: "null"' }] });
  });

  test('says what is wrong with a bad citation, in one line', () => {
    expect(parseCitation('istio 1.30.3 a.go')).toEqual({ error: expect.stringContaining('not of the form') });
    expect(parseCitation('istio@1.30.3:a.go F "open')).toEqual({ error: 'the quote at column 3 is not closed' });
    expect(parseCitation('istio@1.30.3:a.go F (open')).toEqual({ error: 'the note at column 3 has no closing parenthesis' });
    expect(parseCitation('istio@1.30.3:a.go:0')).toEqual({ error: 'line 0 is not a line number' });
    expect(parseCitation(42 as any)).toEqual({ error: 'a citation must be a string, not number' });
  });

  test('reads back the words, quotes and notes it is given (property)', () => {
    const word = fc.stringMatching(/^[A-Za-z_][\w.]{0,12}$/).filter((w) => w !== 'and');
    const quote = fc.stringMatching(/^[\w .:=()-]{1,20}$/).filter((q) => !/["]/.test(q) && q.trim() === q && q !== '');
    const note = fc.stringMatching(/^[\w .:,-]{1,20}$/);
    const term = fc.oneof(
      word.map((value) => ({ kind: 'word' as const, value })),
      quote.map((value) => ({ kind: 'quote' as const, value })),
      note.map((value) => ({ kind: 'note' as const, value })),
    );
    fc.assert(fc.property(fc.array(term, { maxLength: 6 }), (terms) => {
      const text = `istio@1.30.3:a/b.go${terms.length ? ' ' : ''}${terms.map((t) => (t.kind === 'word' ? t.value : t.kind === 'quote' ? `"${t.value}"` : `(${t.value})`)).join(' ')}`;
      const parsed = parseCitation(text);
      expect('error' in parsed ? parsed : parsed.terms.map((t) => ({ kind: t.kind, value: t.value }))).toEqual(terms);
    }));
  });

  test('never throws, whatever the text (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => {
      const p = parseCitation(`istio@1.30.3:a.go ${s}`);
      expect(typeof ('error' in p ? p.error : p.path)).toBe('string');
    }));
  });
});

describe('checkText (what a citation claims of a file, without git)', () => {
  const GO = [
    'package x', '',
    '// Pick chooses one.',
    'func Pick(a []string) string {',
    '\tif len(a) == 0 {',
    '\t\treturn "none"',
    '\t}',
    '\treturn a[0]',
    '}', '',
    'var Cases = []struct{ Name string }{',
    '\t{Name: "first"},',
    '}', '',
    'func (w *Wrapper) Get() int { return 1 }', '',
    'func Other() {}', '',
  ].join('\n');
  const cite = (rest: string) => {
    const c = parseCitation(`istio@1.30.3:x/x.go${rest}`);
    if ('error' in c) throw new Error(c.error);
    return checkText(c, GO);
  };

  test('a function, the words and quotes in it, a method and a test-table entry pass', () => {
    expect(cite(' Pick "return "none""').problems).toEqual([]);
    expect(cite(' Pick "return none" (a note)').problems).toEqual([]);
    expect(cite(' Pick "Pick chooses one"').problems).toEqual([]);
    expect(cite(' Pick len').problems).toEqual([]);
    expect(cite(' Cases "first"').problems).toEqual([]);
    expect(cite(' Wrapper.Get, Other').problems).toEqual([]);
  });

  test('a name not defined, a quote outside the function and a word it does not use fail', () => {
    expect(cite(' Pock').problems).toEqual(['Pock is not defined in x/x.go']);
    expect(cite(' Other "return a[0]"').problems).toEqual(['"return a[0]" is not in Other (line 17; the file has it at line 8)']);
    expect(cite(' Other len').problems).toEqual(['len does not occur in Other (line 17; the file has it at line 5)']);
    expect(cite(' Cases "second"').problems).toEqual(['"second" is not in Cases (lines 11-13; not in the file)']);
  });

  test('a case cites a line of a test where the test starts, within a few lines', () => {
    const CC = ['#include "x.h"', '', 'TEST_F(T, First) {', '  EXPECT_TRUE(true);', '}', '', '', '', '', '', 'TEST_F(T, Second) {', '  EXPECT_TRUE(false);', '}', ''].join('\n');
    const at = (rest: string) => {
      const c = parseCitation(`wasmext@1.12.0:x_test.cc${rest}`);
      if ('error' in c) throw new Error(c.error);
      return checkText(c, CC);
    };
    expect(at(':3 First').problems).toEqual([]);
    expect(at(':11 First').problems).toEqual(['line 11 ("TEST_F(T, Second) {") is not where First starts (lines 3-5)']);
    expect(at(':7').problems).toEqual(['line 7 is blank']);
    expect(at(':99').problems).toEqual(['line 99 is past the end of x_test.cc (13 lines)']);
  });

  test('a CRD citation checks the field, the keyword and its value', () => {
    const crd = ['apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: {name: things.x.io}', 'spec:', '  names: {kind: Thing}', '  versions:',
      '  - name: v1', '    schema:', '      openAPIV3Schema:', '        properties:', '          spec:', '            required: [url]', '            properties:',
      '              url: {type: string, maxLength: 10}', '              refs: {type: array, maxItems: 16, items: {properties: {kind: {type: string, pattern: "^[a-z]+$"}}}}'].join('\n');
    const at = (rest: string) => {
      const c = parseCitation(`istio@1.30.3:crd.yaml ${rest}`);
      if ('error' in c) throw new Error(c.error);
      return checkText(c, crd).problems;
    };
    expect(at('Thing url maxLength 10')).toEqual([]);
    expect(at('Thing url required')).toEqual([]);
    expect(at('Thing refs[].kind pattern "^[a-z]+$"')).toEqual([]);
    expect(at('Thing refs maxItems 17')).toEqual(['Thing v1: refs has maxItems 16, not 17']);
    expect(at('Thing refs[].name')).toEqual(['Thing v1 has no field refs[].name (at name)']);
    expect(at('Other url')).toEqual(['no CustomResourceDefinition of kind Other in crd.yaml']);
  });
});

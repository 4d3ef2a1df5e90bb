// The plain-block reader builds exactly what js-yaml's core schema builds, or leaves the document to js-yaml:
// property tests on random documents (written three ways, then mangled), and every manifest of the project.
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import * as fc from 'fast-check';
import * as jsyaml from 'js-yaml';
import { Yaml } from 'cdk8s';
import { NOT_SIMPLE, parseSimpleBlock } from '../../src/loader/block-yaml';
import { toYaml } from '../../src/gitops/yaml-emitter';

function viaJsYaml(text: string): { value: unknown } | { error: true } {
  try {
    return { value: jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }) };
  } catch {
    return { error: true };
  }
}

/** The property: whatever the reader accepts, js-yaml reads without error to the same value. */
function agrees(text: string): boolean {
  const mine = parseSimpleBlock(text, 100);
  if (mine === NOT_SIMPLE) return true;
  const theirs = viaJsYaml(text);
  return 'value' in theirs && isDeepStrictEqual(mine, theirs.value);
}

// scalars that look like other types, hold indicators, or need quotes
const tricky = fc.constantFrom('null', 'Null', '~', 'true', 'False', 'yes', 'on', '1', '-1', '+1', '0x1F', '0o17', '0b11', '1_000', '1e3', '.5', '-.inf', '.NaN',
  '', ' ', 'a: b', 'a #b', '#c', '- x', '-x', '{}', '[]', '{a: 1}', "it's", 'say "hi"', 'back\\slash', 'tab\there', 'München', '\u2028', 'x:', ':x', '?', '&a', '*a', '!t', '|', '>',
  '%', '@', '`', 'constructor', '__proto__', 'a  b', 'end ', ' lead', '1:20', '2001-12-14', '0.0', '-0', '012');
const scalar = fc.oneof(tricky, fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: false }), fc.boolean(), fc.constant(null));
const key = fc.oneof(tricky, fc.string({ minLength: 1, maxLength: 6 }));
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('seq')),
  map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  seq: fc.array(tie('node'), { maxLength: 4 }),
})).map;

/** The document written by our emitter, by cdk8s's Yaml.stringify and by js-yaml, where each can write it. */
function writings(value: unknown): string[] {
  const out: string[] = [];
  for (const write of [toYaml, (v: unknown) => Yaml.stringify(v), (v: unknown) => jsyaml.dump(v, { flowLevel: -1 }), (v: unknown) => jsyaml.dump(v, { flowLevel: 2 })]) {
    try {
      out.push(write(value));
    } catch {
      // a value one writer cannot write
    }
  }
  return out;
}

const mangle = fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.stringMatching(/^[ a1:#"'\-{}[\]&*!|>.\n\\]{0,4}$/));

describe('plain-block YAML reader', () => {
  test('reads what the writers write as js-yaml reads it, and gives the rest to js-yaml', () => {
    fc.assert(fc.property(tree, (value) => writings(value).every(agrees)), { numRuns: Number(process.env.FC_RUNS ?? 400) });
  });

  test('mangled documents: accepted only when js-yaml reads them to the same value', () => {
    fc.assert(fc.property(tree, fc.array(mangle, { minLength: 1, maxLength: 3 }), (value, edits) => writings(value).every((text) => {
      let t = text;
      for (const [line, col, insert] of edits) {
        const lines = t.split('\n');
        const i = line % lines.length;
        lines[i] = lines[i].slice(0, col) + insert + lines[i].slice(col);
        t = lines.join('\n');
      }
      return agrees(t) && agrees(`---\n${t}`) && agrees(`# c\n${t}  # end`);
    })), { numRuns: Number(process.env.FC_RUNS ?? 400) });
  });

  test('every manifest of the project reads the same, and those our writer made without js-yaml', () => {
    const root = path.join(__dirname, '..', '..');
    let ours = 0;
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) { if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p); continue; }
        if (!/\.ya?ml$/.test(e.name)) continue;
        for (const doc of fs.readFileSync(p, 'utf8').split(/^(?=---(?:[ \t\r\n]|$))/m)) {
          expect(agrees(doc)).toBe(true);
          // our own output takes the fast way, except a block scalar (|, >), which only js-yaml reads
          if (dir.includes(`${path.sep}dist`) && doc.trim() !== '' && !/: [|>][-+]?\n/.test(doc)) {
            expect(parseSimpleBlock(doc, 100)).not.toBe(NOT_SIMPLE);
            ours++;
          }
        }
      }
    };
    for (const d of ['dist', 'examples', path.join('test', 'fixtures')]) walk(path.join(root, d));
    expect(ours).toBeGreaterThan(20);
  });

  test('gives up on what only js-yaml reads, and on nesting beyond the limit', () => {
    for (const doc of ['a: &x 1\nb: *x\n', 'a: !t 1\n', 'a: |\n  text\n', 'a:\n  b\n  c\n', 'a: {b: 1}\n', 'a: 1\na: 2\n', '__proto__: 1\n', 'a:\tb\n', 'a: 1\r\n', '? a\n: b\n', 'a: "x\\x41"\n']) {
      expect(parseSimpleBlock(doc, 100)).toBe(NOT_SIMPLE);
    }
    const deep = (n: number) => Array.from({ length: n }, (_, i) => `${' '.repeat(2 * i)}k:`).join('\n') + ' 1\n';
    expect(parseSimpleBlock(deep(50), 100)).not.toBe(NOT_SIMPLE);
    expect(parseSimpleBlock(deep(101), 100)).toBe(NOT_SIMPLE);
    expect(parseSimpleBlock('a:\n- 1\n- b: 2\n  c: []\nd: "q\\"uote"\ne:\n', 100)).toEqual({ a: [1, { b: 2, c: [] }], d: 'q"uote', e: null });
  });
});

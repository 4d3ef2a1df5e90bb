import { Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { SeedScenario } from '../../src';
import { emitStats, isPlainAsIs, toYaml } from '../../src/gitops/yaml-emitter';

// strings YAML treats specially: indicators, booleans and numbers of YAML 1.1, spaces, quotes, colons, unicode
const nasty = fc.oneof(
  fc.constantFrom('', ' ', 'yes', 'No', 'on', 'OFF', 'y', 'n', '~', 'null', 'true', '1', '0x1F', '1e3', '.5', '-', '- a', '? x', ': x',
    'a: b', 'a #b', '#c', '*ref', '&anc', '!tag', '%x', '@x', '`x', '"q"', "'q'", 'a"b', "a'b", '{x}', '[x]', 'x,y', '|', '>', 'a\tb',
    'trailing ', ' leading', 'é', '日本', '\u00a0', '1:2', '10:20:30', '2001-12-14', '=', '<<', 'ok:test', 'YWRtaW4zOmFkbWluMw==',
    'oci://ghcr.io/x/y:1.0', '/productpage', 'istio.io/use-waypoint', 'a\nb', 'x'.repeat(130)),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const scalar = fc.oneof(nasty, fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(-0), fc.constant(1e21), fc.constant(0.1));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(nasty, tie('value'), { maxKeys: 5 }),
})).object;

describe('toYaml', () => {
  test('writes exactly what cdk8s Yaml.stringify writes, for any JSON object', () => {
    fc.assert(fc.property(json, (doc) => toYaml(doc) === Yaml.stringify(doc)), { numRuns: 3000 });
  });

  test('writes every object of the seed scenario like cdk8s, on the fast path', () => {
    const docs = Testing.synth(new SeedScenario(Testing.app(), 'default'));
    const before = emitStats.fast;
    for (const d of docs) expect(toYaml(d)).toBe(Yaml.stringify(d));
    expect(emitStats.fast - before).toBe(docs.length);
  });

  test('falls back to the yaml library for multi-line strings and nested sequences', () => {
    const before = emitStats.fallback;
    const doc = { a: 'line1\nline2', b: [[1, 2], []], c: [null] };
    expect(toYaml(doc)).toBe(Yaml.stringify(doc));
    expect(emitStats.fallback - before).toBe(1);
  });

  describe('spells plain names without the library, only where the library writes them as they are', () => {
    // the library's own spelling in the three places the emitter writes a scalar
    const asValue = (v: string) => Yaml.stringify({ a: v }).slice('a: '.length, -1);
    const asItem = (v: string) => Yaml.stringify([v]).slice('- '.length, -1);
    const asKey = (v: string) => Yaml.stringify({ [v]: 0 }).slice(0, -': 0\n'.length);
    const asIsEverywhere = (v: string) => asValue(v) === v && asItem(v) === v && asKey(v) === v;
    const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._/';

    test('every string of one or two letters, digits, dashes, dots, underscores and slashes, and every three-character one from e or E', () => {
      const strings: string[] = [];
      for (const a of ALPHABET) {
        strings.push(a);
        for (const b of ALPHABET) {
          strings.push(a + b);
          if (a === 'e' || a === 'E') for (const c of ALPHABET) strings.push(a + b + c);
        }
      }
      const wrong = strings.filter((v) => isPlainAsIs(v) && !asIsEverywhere(v));
      expect(wrong).toEqual([]);
      // and it leaves enough to the fast path to matter: most such names
      expect(strings.filter(isPlainAsIs).length).toBeGreaterThan(strings.length / 2);
    });

    test('YAML 1.1 booleans, nulls and mantissa-less exponents go to the library, which quotes them', () => {
      for (const v of ['y', 'N', 'yes', 'No', 'on', 'OFF', 'true', 'False', 'null', 'NULL', 'e3', 'E-5', 'e10']) {
        expect(isPlainAsIs(v)).toBe(false);
        expect(asValue(v)).not.toBe(v);
      }
      expect(['ns-42', 'reviews-v1', 'istio-waypoint', 'nan', 'inf', 'e', 'e-', 'e3x', 'yess', 'apps/v1', 'Namespace.ns-4.k8s.yaml', 'LOG_DIR'].every(isPlainAsIs)).toBe(true);
    });

    test('for any such string', () => {
      const word = fc.oneof(
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9._/-]{0,30}$/),
        fc.stringMatching(/^[eE][-+._]?[0-9_.]{1,4}[a-z0-9._/-]{0,2}$/),
        fc.constantFrom('yes', 'No', 'on', 'Off', 'null', 'True', 'e3', 'y', 'n'),
      );
      fc.assert(fc.property(word, (v) => !isPlainAsIs(v) || asIsEverywhere(v)), { numRuns: 3000 });
    });
  });
});

import { Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { SeedScenario } from '../../src';
import { emitStats, toYaml } from '../../src/gitops/yaml-emitter';

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
});

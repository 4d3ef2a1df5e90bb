// analyze and simulate on Istio's own TrafficExtension integration inputs at 1.30.3, templates filled in as
// the tests fill them (test/fixtures/istio-testdata/README.md): tests/integration/ambient/testdata/lua-*.yaml and
// trafficextension-wasm.yaml, applied by trafficextension_lua_test.go and trafficextension_wasm_test.go.
import * as path from 'path';
import { loadManifests } from '../../src/loader/load';
import { MeshModel } from '../../src/model/mesh-model';
import { extensionOf } from '../../src/model/extension';
import { formatFindingLine, runRules } from '../../src/rules';
import { Simulator } from '../../src/simulate';
import { closeLuaRuntime } from '../../src/simulate/lua-runtime';

const DIR = path.join(__dirname, '..', 'fixtures', 'istio-testdata');
const file = (f: string) => path.join(DIR, f);
const load = (...files: string[]) => {
  const loaded = loadManifests([file('mesh.yaml'), ...files.map(file)]);
  expect(loaded.errors).toEqual([]);
  return loaded.objects;
};
const FILES = ['lua-header-injector.yaml', 'lua-response-modifier.yaml', 'lua-phase-authn.yaml', 'lua-phase-authz.yaml', 'lua-phase-stats.yaml', 'trafficextension-wasm.yaml'];

afterAll(() => closeLuaRuntime());

describe("Istio's TrafficExtension testdata", () => {
  test.each(FILES)('%s reads as a TrafficExtension and raises no finding', (f) => {
    const objects = load(f);
    const model = MeshModel.build(objects);
    expect(model.trafficExtensions).toHaveLength(1);
    const x = extensionOf(model.trafficExtensions[0]);
    expect(x.bodyKind).toBe(f.startsWith('lua') ? 'lua' : 'wasm');
    expect(x.entry.namespace).toBe('default');
    expect(runRules(model).map(formatFindingLine)).toEqual([]);
  });

  test('the waypoint Wasm extension attaches to the namespace waypoint, STATS phase, pull secret read from its namespace', () => {
    const r = Simulator.from(load('trafficextension-wasm.yaml')).simulate({ from: 'default/a', url: 'http://b/' });
    const plugins = r.hops.find((h) => h.kind === 'waypoint')!.plugins!;
    expect(plugins.map((p) => `${p.kind} ${p.plugin} ${p.outcome}`)).toEqual(['TrafficExtension default/waypoint-wasm-test passed']);
    expect(plugins[0].orderKey).toMatch(/^phase STATS/);
  });

  test('header injector and response modifier: both response headers, as the Lua test checks', () => {
    const r = Simulator.from(load('lua-header-injector.yaml', 'lua-response-modifier.yaml')).simulate({ from: 'default/a', url: 'http://b/' });
    expect(r.status).toBe(200);
    expect(r.response?.headers).toEqual({ 'x-lua-response': 'modified', 'x-lua-injected': 'true' });
  });

  test('the phase-order scripts read x-phase-order from the application\'s response first: unknown (Istio\'s echo app sends none, so its test sees "321")', () => {
    const r = Simulator.from(load('lua-phase-authn.yaml', 'lua-phase-authz.yaml', 'lua-phase-stats.yaml')).simulate({ from: 'default/a', url: 'http://b/' });
    expect(r.hops.find((h) => h.kind === 'waypoint')!.plugins!.map((p) => p.plugin)).toEqual(['default/lua-phase-test-authn', 'default/lua-phase-test-authz', 'default/lua-phase-test-stats']);
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/lua-phase-test-stats on the response: it reads header "x-phase-order"/);
  });
});

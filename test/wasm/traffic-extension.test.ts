import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import {
  AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, ExtensionResource, FailStrategy, FilterConfig, FilterConfigKind, ImagePullPolicy,
  HttpMethod, IngressGateway, PathMatch, PluginPhase, PluginType, PolicyTarget, TrafficExtension, TrafficMode, WasmPlugin, WasmSource,
} from '../../src';
import { TrafficExtension as TrafficExtensionL1 } from '../../src/imports/extensions.istio.io';
import { find, ofKind, synth } from '../helpers';

const MODULE = WasmSource.oci('ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0');
const rule = () => new BasicAuthRule({ match: PathMatch.prefix('/productpage'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.encoded('b2s6dGVzdA==')] });
const INJECT = 'function envoy_on_request(request_handle)\n  request_handle:headers():add("x-lua", "yes")\nend\n';

function shop() {
  const app = Testing.app();
  const ns = new AmbientNamespace(app, 'shop');
  const wp = ns.addWaypoint();
  return { app, ns, wp };
}

describe('TrafficExtension', () => {
  test('a Lua body renders spec.lua.inlineCode beside the shared fields, with UNSPECIFIED as TrafficExtension writes it', () => {
    // GIVEN
    const { ns, wp } = shop();
    // WHEN
    new TrafficExtension(ns, 'Inject', { name: 'inject', filterConfig: FilterConfig.lua(INJECT), targets: [wp], phase: PluginPhase.UNSPECIFIED, priority: 5,
      match: [{ mode: TrafficMode.SERVER }] });
    // THEN
    const te = find(synth(ns), 'TrafficExtension', 'inject');
    expect(te.apiVersion).toBe('extensions.istio.io/v1alpha1');
    expect(te.metadata.namespace).toBe('shop');
    expect(te.spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }],
      phase: 'UNSPECIFIED', priority: 5, match: [{ mode: 'SERVER' }], lua: { inlineCode: INJECT },
    });
  });

  test('a Wasm body renders every field of spec.wasm of the 1.30.3 CRD', () => {
    const { ns } = shop();
    const gw = new IngressGateway(ns, 'Edge', { name: 'edge' });
    new TrafficExtension(ns, 'Stats', {
      name: 'stats', targets: [gw], phase: PluginPhase.STATS, priority: -1, match: [{ mode: TrafficMode.CLIENT, ports: [80] }],
      filterConfig: FilterConfig.wasm(WasmSource.http('https://example.com/stats.wasm'), {
        sha256: 'a'.repeat(64), imagePullPolicy: ImagePullPolicy.ALWAYS, imagePullSecret: 'pull', pluginName: 'stats_root', failStrategy: FailStrategy.FAIL_OPEN,
        type: PluginType.HTTP, env: [{ name: 'A', value: '1' }], pluginConfig: { level: 'debug' },
      }),
    });
    expect(find(synth(ns), 'TrafficExtension', 'stats').spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' }], phase: 'STATS', priority: -1,
      match: [{ mode: 'CLIENT', ports: [{ number: 80 }] }],
      wasm: { url: 'https://example.com/stats.wasm', sha256: 'a'.repeat(64), imagePullPolicy: 'Always', imagePullSecret: 'pull', pluginName: 'stats_root',
        failStrategy: 'FAIL_OPEN', type: 'HTTP', vmConfig: { env: [{ name: 'A', value: '1' }] }, pluginConfig: { level: 'debug' } },
    });
  });

  test('renders byte for byte as the generated L1 class does', () => {
    const { ns, wp } = shop();
    const te = new TrafficExtension(ns, 'Inject', { name: 'inject', filterConfig: FilterConfig.lua(INJECT), targets: [wp], phase: PluginPhase.AUTHN });
    const json = te.apiObject.toJson();
    const l1 = new TrafficExtensionL1(Testing.chart(), 'l1', { metadata: json.metadata, spec: json.spec }).toJson();
    expect(JSON.stringify(l1)).toBe(JSON.stringify(json));
  });

  test('takes the same typed targets as WasmPlugin, and Service targets go through the same synth checks', () => {
    const { app, ns } = shop();
    new TrafficExtension(ns, 'Svc', { name: 'svc', filterConfig: FilterConfig.lua(INJECT), targets: [PolicyTarget.service('missing')] });
    expect(() => app.synth()).toThrow(/WASM006 TrafficExtension shop\/svc \(shop\/Svc\): spec\.targetRefs\[0\]\.name/);
  });

  test('fails at once on Lua that does not parse, naming the object, the line and the column', () => {
    const { ns } = shop();
    expect(() => new TrafficExtension(ns, 'Bad', { name: 'bad', filterConfig: FilterConfig.lua('function envoy_on_request(h)\n  h:headers():add("a",\nend') }))
      .toThrow(/^TE002 TrafficExtension shop\/bad \(shop\/Bad\): spec\.lua\.inlineCode: does not parse as LuaJIT.*line 3, column 1 of the code/);
  });

  test('fails on empty Lua code (the CRD minimum is one character)', () => {
    const { ns } = shop();
    expect(() => new TrafficExtension(ns, 'Empty', { name: 'empty', filterConfig: FilterConfig.lua('') })).toThrow(/TE004 .*spec\.lua\.inlineCode/);
  });

  test('Lua without a handler is a synth warning, not an error', () => {
    const { app, ns, wp } = shop();
    new TrafficExtension(ns, 'Noop', { name: 'noop', filterConfig: FilterConfig.lua('local function envoy_on_request(h) end'), targets: [wp] });
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const prev = process.env.CDK8S_ISTIO_AMBIENT_QUIET;
    delete process.env.CDK8S_ISTIO_AMBIENT_QUIET;
    try {
      expect(() => app.synth()).not.toThrow();
      expect(warn.mock.calls.map((c) => String(c[0])).join('')).toMatch(/TE003 TrafficExtension shop\/noop .*declared local/);
    } finally {
      if (prev !== undefined) process.env.CDK8S_ISTIO_AMBIENT_QUIET = prev;
      warn.mockRestore();
    }
  });

  test('fails when a selector is combined with targets, as WasmPlugin does', () => {
    const { ns, wp } = shop();
    expect(() => new TrafficExtension(ns, 'Both', { name: 'both', filterConfig: FilterConfig.lua(INJECT), selector: { app: 'x' }, targets: [wp] }))
      .toThrow(/WASM002 TrafficExtension shop\/both .*spec\.selector/);
  });

  test('FilterConfig tells its kind', () => {
    expect(FilterConfig.lua(INJECT).kind).toBe(FilterConfigKind.LUA);
    expect(FilterConfig.wasm(MODULE).kind).toBe(FilterConfigKind.WASM);
    expect(FilterConfig.wasm(MODULE).url).toBe(MODULE.url);
  });
});

describe('BasicAuthPlugin and WasmPlugin written as TrafficExtension', () => {
  test('the same plugin renders as a TrafficExtension with the module settings under spec.wasm', () => {
    // GIVEN
    const { ns, wp } = shop();
    // WHEN
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [wp], rules: [rule()], resource: ExtensionResource.TRAFFIC_EXTENSION, priority: 10 });
    // THEN
    const out = synth(ns);
    expect(ofKind(out, 'WasmPlugin')).toEqual([]);
    expect(find(out, 'TrafficExtension', 'auth').spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }], phase: 'AUTHN', priority: 10,
      wasm: { url: MODULE.url, pluginConfig: { basic_auth_rules: [{ prefix: '/productpage', request_methods: ['GET'], credentials: ['b2s6dGVzdA=='] }] } },
    });
  });

  test('the default stays WasmPlugin', () => {
    const { ns, wp } = shop();
    const p = new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [wp], rules: [rule()] });
    expect(p.resource).toBe(ExtensionResource.WASM_PLUGIN);
    expect(find(synth(ns), 'WasmPlugin', 'auth').spec.url).toBe(MODULE.url);
  });

  test('fails with legacyTargetRef, which TrafficExtension does not have', () => {
    const { ns, wp } = shop();
    expect(() => new WasmPlugin(ns, 'Old', { name: 'old', source: MODULE, targets: [wp], legacyTargetRef: true, resource: ExtensionResource.TRAFFIC_EXTENSION }))
      .toThrow(/TE005 TrafficExtension shop\/old \(shop\/Old\): spec\.targetRef/);
  });

  test('the module config is checked under spec.wasm, as the module reads it', () => {
    const { ns, wp } = shop();
    expect(() => new TrafficExtension(ns, 'T', { name: 't', targets: [wp], filterConfig: FilterConfig.wasm(MODULE, { pluginConfig: { basic_auth_rules: [{ prefix: '/a', request_methods: ['GET'] }] } }) }))
      .toThrow(/BA005 TrafficExtension shop\/t .*spec\.wasm\.pluginConfig\.basic_auth_rules\[0\]/);
  });
});

const VALIDATOR = path.join(__dirname, '..', '..', '..', 'shared', 'tools', 'validate-manifests.mjs');

describe('what the TrafficExtension constructs write', () => {
  (fs.existsSync(VALIDATOR) ? test : test.skip)('passes validate-manifests: schemas and CEL of the pinned CRDs (skipped without ../shared)', () => {
    const { ns, wp } = shop();
    new TrafficExtension(ns, 'Lua', { name: 'lua', targets: [wp], phase: PluginPhase.UNSPECIFIED, priority: 1, match: [{ mode: TrafficMode.SERVER }],
      filterConfig: FilterConfig.lua(INJECT) });
    new TrafficExtension(ns, 'Wasm', { name: 'wasm', selector: { app: 'cart' }, phase: PluginPhase.STATS,
      filterConfig: FilterConfig.wasm(MODULE, { sha256: 'a'.repeat(64), failStrategy: FailStrategy.FAIL_CLOSE, imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
        env: [{ name: 'A', value: '1' }], type: PluginType.HTTP, pluginName: 'root', imagePullSecret: 'pull' }) });
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [wp], rules: [rule()], resource: ExtensionResource.TRAFFIC_EXTENSION });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'te-validate-'));
    try {
      const objects = ofKind(synth(ns), 'TrafficExtension');
      expect(objects).toHaveLength(3);
      fs.writeFileSync(path.join(dir, 'te.yaml'), objects.map((o) => YAML.stringify(o)).join('---\n'));
      expect(execFileSync(process.execPath, [VALIDATOR, dir], { encoding: 'utf8' })).toMatch(/3 objects, 3 valid, 0 with errors/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

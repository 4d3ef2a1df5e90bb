// targetRef semantics, one snapshot per target form and one of the seed's three plugins; every snapshot is backed by
// explicit assertions on the targetRefs (kinds, groups, namespaces) and on where Istio 1.30.3 attaches the plugin.
// Attachment: istio@1.30.3 pilot/pkg/model/policyattachment.go `ShouldAttachPolicy` (a Gateway by name in the
// plugin's namespace; a Service or ServiceEntry at its waypoint, same namespace, by registry; GatewayClass
// istio-waypoint only from the root namespace, then every waypoint) and `GetTargetRefs` (the singular targetRef is
// read only when targetRefs is empty); groups compared by `matchesGroupKind` ("" is core).
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import {
  AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, Bookinfo, HttpMethod, IngressGateway, PathMatch, PolicyTarget,
  SeedScenario, WasmPlugin, WasmSource,
} from '../src';
import { MeshModel } from '../src/model/mesh-model';
import { resolveTargets } from '../src/model/attachment';
import { find } from './helpers';

const GW = 'gateway.networking.k8s.io';
const MODULE = WasmSource.oci('ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0');
const rules = () => [new BasicAuthRule({ match: PathMatch.prefix('/'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('ok', 'test')] })];

/** Every object of the app, and where each plugin attaches (`<proxy kind> <ns>/<proxy> [for <Service>]`). */
function synth(app: App): { objects: any[]; placesOf: (ns: string, name: string) => string[] } {
  const objects = YAML.parseAllDocuments(app.synthYaml()).map((d) => d.toJS()).filter(Boolean);
  const model = MeshModel.build(objects.map((manifest, i) => ({ manifest, origin: `app.yaml:${i + 1}` })));
  const placesOf = (ns: string, name: string) => {
    const plugin = model.entries.find((e) => e.kind === 'WasmPlugin' && e.namespace === ns && e.name === name)!;
    return resolveTargets(model, plugin).flatMap((r) => r.places)
      .map((p) => `${p.kind} ${p.proxy.namespace}/${p.proxy.name}${p.service ? ` for ${p.service.kind} ${p.service.name}` : ''}`).sort();
  };
  return { objects, placesOf };
}

function shop(): { app: App; ns: AmbientNamespace } {
  const app = Testing.app();
  return { app, ns: new AmbientNamespace(app, 'shop') };
}

describe('targetRef semantics', () => {
  test('a Gateway: the ingress gateway, by name, in the plugin\'s namespace', () => {
    const { app, ns } = shop();
    const edge = new IngressGateway(ns, 'edge');
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [edge], rules: rules() });
    const { objects, placesOf } = synth(app);
    const plugin = find(objects, 'WasmPlugin', 'auth');
    expect(plugin.metadata.namespace).toBe('shop');
    expect(plugin.spec.targetRefs).toEqual([{ group: GW, kind: 'Gateway', name: 'edge' }]); // no namespace: the plugin's own
    expect(plugin.spec.targetRef).toBeUndefined();
    expect(find(objects, 'Gateway', 'edge').spec.gatewayClassName).toBe('istio');
    expect(placesOf('shop', 'auth')).toEqual(['ingress shop/edge']);
    expect(plugin).toMatchSnapshot();
  });

  test('a waypoint: a Gateway of class istio-waypoint, so every Service it serves', () => {
    const { app, ns } = shop();
    const waypoint = ns.addWaypoint();
    new Bookinfo(ns, 'Bookinfo');
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [waypoint], rules: rules() });
    const { objects, placesOf } = synth(app);
    const plugin = find(objects, 'WasmPlugin', 'auth');
    expect(plugin.spec.targetRefs).toEqual([{ group: GW, kind: 'Gateway', name: 'waypoint' }]);
    expect(find(objects, 'Gateway', 'waypoint').spec.gatewayClassName).toBe('istio-waypoint');
    expect(placesOf('shop', 'auth')).toEqual(['waypoint shop/waypoint']);
    expect(plugin).toMatchSnapshot();
  });

  test('a Service: group "" (core), applied at its waypoint for that Service only', () => {
    const { app, ns } = shop();
    ns.addWaypoint();
    const bookinfo = new Bookinfo(ns, 'Bookinfo');
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [PolicyTarget.fromService(bookinfo.reviews)], rules: rules() });
    const { objects, placesOf } = synth(app);
    const plugin = find(objects, 'WasmPlugin', 'auth');
    expect(plugin.spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews' }]);
    expect(find(objects, 'Service', 'reviews').metadata.namespace).toBe(plugin.metadata.namespace);
    expect(placesOf('shop', 'auth')).toEqual(['waypoint shop/waypoint for Service reviews']);
    expect(plugin).toMatchSnapshot();
  });

  test('a ServiceEntry: group networking.istio.io, applied at the waypoint it is bound to', () => {
    const { app, ns } = shop();
    const waypoint = ns.addWaypoint('Waypoint', { enrollNamespace: false });
    const entry = new ApiObject(ns, 'Payments', { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'payments' },
      spec: { hosts: ['payments.example.com'], addresses: ['240.0.0.10'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DNS' } });
    waypoint.bindServiceEntry(entry);
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [PolicyTarget.serviceEntry('payments')], rules: rules() });
    const { objects, placesOf } = synth(app);
    const plugin = find(objects, 'WasmPlugin', 'auth');
    expect(plugin.spec.targetRefs).toEqual([{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'payments' }]);
    expect(find(objects, 'ServiceEntry', 'payments').metadata.labels).toEqual({ 'istio.io/use-waypoint': 'waypoint' });
    expect(placesOf('shop', 'auth')).toEqual(['waypoint shop/waypoint for ServiceEntry payments']);
    expect(plugin).toMatchSnapshot();
  });

  test('a GatewayClass from the root namespace: istio-waypoint, so every waypoint of the mesh', () => {
    const app = Testing.app();
    for (const name of ['shop', 'blog']) new AmbientNamespace(app, name).addWaypoint();
    const root = new Chart(app, 'root', { namespace: 'istio-system' });
    new WasmPlugin(root, 'MeshAuth', { name: 'mesh-auth', source: MODULE, targets: [PolicyTarget.gatewayClass()],
      pluginConfig: { basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['ok:test'] }] } });
    const { objects, placesOf } = synth(app);
    const plugin = find(objects, 'WasmPlugin', 'mesh-auth');
    expect(plugin.metadata.namespace).toBe('istio-system');
    expect(plugin.spec.targetRefs).toEqual([{ group: GW, kind: 'GatewayClass', name: 'istio-waypoint' }]);
    expect(placesOf('istio-system', 'mesh-auth')).toEqual(['waypoint blog/waypoint', 'waypoint shop/waypoint']);
    expect(plugin).toMatchSnapshot();
  });

  test('the legacy singular targetRef: one Gateway, targetRefs absent (read only when targetRefs is empty)', () => {
    const { app, ns } = shop();
    const waypoint = ns.addWaypoint();
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [waypoint], legacyTargetRef: true, rules: rules() });
    const { objects, placesOf } = synth(app);
    const plugin = find(objects, 'WasmPlugin', 'auth');
    expect(plugin.spec.targetRef).toEqual({ group: GW, kind: 'Gateway', name: 'waypoint' });
    expect(plugin.spec.targetRefs).toBeUndefined();
    expect(placesOf('shop', 'auth')).toEqual(['waypoint shop/waypoint']);
    expect(() => new BasicAuthPlugin(ns, 'Two', { name: 'two', targets: [waypoint, PolicyTarget.service('cart')], legacyTargetRef: true }))
      .toThrow(/WASM016 .*spec\.targetRef: the legacy singular targetRef takes exactly one Gateway target/);
    expect(plugin).toMatchSnapshot();
  });

  test('several targets: each one attaches on its own, in the order given', () => {
    const { app, ns } = shop();
    const waypoint = ns.addWaypoint();
    const edge = new IngressGateway(ns, 'edge');
    const bookinfo = new Bookinfo(ns, 'Bookinfo');
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [edge, waypoint, PolicyTarget.fromService(bookinfo.ratings)], rules: rules() });
    const { objects, placesOf } = synth(app);
    const plugin = find(objects, 'WasmPlugin', 'auth');
    expect(plugin.spec.targetRefs).toEqual([
      { group: GW, kind: 'Gateway', name: 'edge' },
      { group: GW, kind: 'Gateway', name: 'waypoint' },
      { group: '', kind: 'Service', name: 'ratings' },
    ]);
    expect(plugin.spec.targetRefs.every((r: any) => r.namespace === undefined)).toBe(true);
    expect(placesOf('shop', 'auth')).toEqual(['ingress shop/edge', 'waypoint shop/waypoint', 'waypoint shop/waypoint for Service ratings']);
    expect(plugin).toMatchSnapshot();
  });

  test("the seed's three plugins: the gateway, the waypoint, and the reviews Service", () => {
    const app = Testing.app();
    new SeedScenario(app, 'default');
    const { objects, placesOf } = synth(app);
    const plugins = objects.filter((o) => o.kind === 'WasmPlugin');
    expect(plugins.map((p) => p.metadata.name)).toEqual(['basic-auth-at-gateway', 'basic-auth-at-waypoint', 'basic-auth-for-service']);
    expect(plugins.map((p) => p.metadata.namespace)).toEqual(['default', 'default', 'default']);
    expect(plugins.map((p) => p.spec.targetRefs)).toEqual([
      [{ group: GW, kind: 'Gateway', name: 'bookinfo-gateway' }],
      [{ group: GW, kind: 'Gateway', name: 'waypoint' }],
      [{ group: '', kind: 'Service', name: 'reviews' }],
    ]);
    expect(placesOf('default', 'basic-auth-at-gateway')).toEqual(['ingress default/bookinfo-gateway']);
    expect(placesOf('default', 'basic-auth-at-waypoint')).toEqual(['waypoint default/waypoint']);
    expect(placesOf('default', 'basic-auth-for-service')).toEqual(['waypoint default/waypoint for Service reviews']);
    expect(plugins).toMatchSnapshot();
  });
});

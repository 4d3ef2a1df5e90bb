import { MeshModel } from '../../src/model/mesh-model';
import { Finding, Severity, formatFinding, runRules } from '../../src/rules';
import { GOOD_CONFIG, base, plugin, sourced } from './fixtures';


function run(objects: any[], rootNamespace?: string): Finding[] {
  return runRules(MeshModel.build(sourced(objects), { rootNamespace }));
}
function codes(objects: any[]): string[] {
  return run(objects).map((f) => f.code);
}

const gatewayRef = (name: string) => ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name });
const serviceRef = (name: string) => ({ group: '', kind: 'Service', name });

// Every code's bad/fixed pair lives in test/fixtures/rules/ (yaml-fixtures.test.ts); these tests pin the wording and the edge cases.
describe('rule set', () => {
  test('BA011 names the rule and masks the credentials it warns about', () => {
    const f = run([...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [GOOD_CONFIG.basic_auth_rules[0], { prefix: '/b', request_methods: ['GET'], credentials: ['YWRtaW4zOmFkbWluMw=='] }] } })])
      .filter((x) => x.code === 'BA011');
    expect(f.map((x) => x.field)).toEqual(['spec.pluginConfig.basic_auth_rules[0].credentials', 'spec.pluginConfig.basic_auth_rules[1].credentials']);
    expect(f.map((x) => x.value)).toEqual(['["ok:***"]', '["base64(admin3:***)"]']);
    expect(f.map(formatFinding).join()).not.toMatch(/test|YWRtaW4z/);
  });

  test('a finding names the object, origin, field, value and fix', () => {
    const [f] = run([...base(), plugin({ targetRefs: [gatewayRef('edge-istio')], pluginConfig: GOOD_CONFIG })]);
    expect(formatFinding(f)).toBe(
      'WASM005 WasmPlugin shop/cart-auth (fixture.yaml:5): spec.targetRefs[0].name: no Gateway of that name in namespace shop, ' +
      'so the plugin applies to nothing (got "edge-istio"); did you mean "edge"? create Gateway shop/edge-istio or name an existing one (the Gateway name, not its "-istio" Deployment)');
  });

  test.each([
    ['use-waypoint: none on the Service', (o: any) => (o.kind === 'Service' ? { ...o, metadata: { ...o.metadata, labels: { 'istio.io/use-waypoint': 'none' } } } : o), /opted out with istio.io\/use-waypoint: none/],
    ['a waypoint for workloads only', (o: any) => (o.metadata.name === 'waypoint' ? { ...o, metadata: { ...o.metadata, labels: { 'istio.io/waypoint-for': 'workload' } } } : o), /waypoint-for is "workload" and takes no service traffic/],
    ['a use-waypoint naming an ingress Gateway', (o: any) => (o.kind === 'Namespace' ? { ...o, metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'edge' } } } : o), /an ingress gateway\), which istiod binds all the same/],
    ['a waypoint in another namespace that does not admit this one', (o: any) => (o.kind === 'Namespace' ? { ...o, metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint', 'istio.io/use-waypoint-namespace': 'infra' } } } : o), /does not admit namespace shop/],
  ])('WASM009 explains %s', (_title, mutate, why) => {
    const objects = [...base().map(mutate), plugin({ targetRefs: [serviceRef('cart')], pluginConfig: GOOD_CONFIG })];
    if (String(why).includes('admit')) {
      objects.push({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'waypoint', namespace: 'infra' },
        spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } });
    }
    const f = run(objects).find((x) => x.code === 'WASM009');
    expect(f).toBeDefined();
    expect(f!.message).toMatch(why);
    expect(f!.message).toMatch(/open door/);
  });

  test('a cross-namespace waypoint that admits all namespaces serves the Service', () => {
    const objects = [
      ...base().map((o) => (o.kind === 'Namespace' ? { ...o, metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'infra' } } } : o)),
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'shared', namespace: 'infra' },
        spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', allowedRoutes: { namespaces: { from: 'All' } } }] } },
      plugin({ targetRefs: [serviceRef('cart')], pluginConfig: GOOD_CONFIG }),
    ];
    expect(codes(objects)).not.toContain('WASM009');
  });

  test('WASM023 compares only plugins that run on the same proxy, phase and filter type', () => {
    const priced = plugin({ targetRefs: [gatewayRef('edge')], priority: 10 }, 'first');
    // unset and UNSPECIFIED_PHASE are one phase
    expect(codes([...base(), { ...priced, spec: { ...priced.spec, phase: undefined } }, plugin({ targetRefs: [gatewayRef('edge')], phase: 'UNSPECIFIED_PHASE' }, 'second')]))
      .toContain('WASM023');
    // another proxy, another phase, another type: no neighbour
    expect(codes([...base(), priced, plugin({ targetRefs: [gatewayRef('waypoint')] }, 'second')])).not.toContain('WASM023');
    expect(codes([...base(), priced, plugin({ targetRefs: [gatewayRef('edge')], phase: 'STATS' }, 'second')])).not.toContain('WASM023');
    expect(codes([...base(), priced, plugin({ targetRefs: [gatewayRef('edge')], type: 'NETWORK' }, 'second')])).not.toContain('WASM023');
  });

  test('WASM023 sees a mesh-wide GatewayClass plugin with a priority beside a namespace plugin at the waypoint', () => {
    const mesh = plugin({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name: 'istio-waypoint' }], priority: 1 }, 'mesh', 'istio-system');
    const f = run([...base(), mesh, plugin({ targetRefs: [serviceRef('cart')] })]).find((x) => x.code === 'WASM023');
    expect(f?.message).toMatch(/istio-system\/mesh/);
  });

  test('WASM013 names the namespace Istio reads the pull Secret from', () => {
    const elsewhere = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull', namespace: 'infra' }, type: 'kubernetes.io/dockerconfigjson' };
    const a = run([...base(), elsewhere, plugin({ targetRefs: [gatewayRef('edge')], imagePullSecret: 'pull' })]).find((x) => x.code === 'WASM013');
    expect(a?.message).toMatch(/exists in namespace infra, but Istio reads the pull Secret from the plugin namespace shop only/);
    const b = run([...base(), elsewhere, plugin({ targetRefs: [gatewayRef('edge')], imagePullSecret: 'infra/pull' })]).find((x) => x.code === 'WASM013');
    expect(b?.message).toMatch(/names namespace infra.*looks up shop\/pull/);
  });

  test('WASM017 when the only waypoint a plugin targets takes no traffic, and when mode SERVER shuts out the ingress', () => {
    const none = base().map((o) => (o.metadata.name === 'waypoint' ? { ...o, metadata: { ...o.metadata, labels: { 'istio.io/waypoint-for': 'none' } } } : o));
    expect(run([...none, plugin({ targetRefs: [gatewayRef('waypoint')] })]).find((x) => x.code === 'WASM017')?.message)
      .toMatch(/waypoint shop\/waypoint has istio.io\/waypoint-for "none" and processes no traffic/);
    expect(run([...base(), plugin({ targetRefs: [gatewayRef('edge')], match: [{ mode: 'SERVER' }] })]).find((x) => x.code === 'WASM017')?.message)
      .toMatch(/ingress shop\/edge matches as mode CLIENT on port 80/);
    expect(codes([...base(), plugin({ targetRefs: [gatewayRef('edge')], match: [{ mode: 'CLIENT', ports: [{ number: 80 }] }], pluginConfig: GOOD_CONFIG })]).filter((c) => c !== 'BA011')).toEqual([]);
  });

  test('AMB006 on a namespace only when its waypoint takes no traffic at all (a workload waypoint is a valid default)', () => {
    const labelled = (v: string) => base().map((o) => (o.metadata.name === 'waypoint' ? { ...o, metadata: { ...o.metadata, labels: { 'istio.io/waypoint-for': v } } } : o));
    expect(codes(labelled("workload"))).toEqual([]);
    expect(codes(labelled('none'))).toEqual(['AMB006']);
  });

  test('rules never throw on malformed selectors and env entries', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'w', 'istio.io/use-waypoint-namespace': 'shop' } } };
    const w = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'w', namespace: 'shop' },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ port: 15008, protocol: 'HBONE', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchExpressions: [null, { key: 1 }] } } } }] } };
    expect(() => run([...base(), ns, w, plugin({ targetRefs: [gatewayRef('edge')], vmConfig: { env: [null, 'A'] } })])).not.toThrow();
    expect(codes([...base(), plugin({ targetRefs: [gatewayRef('edge')], vmConfig: { env: [null] } })])).toContain('WASM015');
  });

  test('argocd-vault-plugin placeholders are accepted as credentials; anything else that is not base64 is BA006', () => {
    const withCreds = (credentials: string[]) => plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [{ prefix: '/cart', request_methods: ['GET'], credentials }] } });
    expect(codes([...base(), withCreds(['<path:secret/data/shop#cart-credential>'])])).toEqual([]);
    // a look-alike without the colon is no placeholder, and not base64 either
    expect(codes([...base(), withCreds(['<vault-secret>'])])).toEqual(['BA006']);
  });
});

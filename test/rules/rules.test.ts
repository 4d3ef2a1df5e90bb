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

// Each rule: a manifest set that triggers it, and its fixed twin that does not.
const cases: Array<{ code: string; bad: () => any[]; fixed: () => any[] }> = [
  { code: 'WASM001',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], targetRef: gatewayRef('edge'), pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM002',
    bad: () => [...base(), plugin({ selector: { matchLabels: { app: 'x' } }, targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM003',
    bad: () => [...base(), plugin({ targetRefs: [{ ...serviceRef('cart'), namespace: 'other' }], pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [serviceRef('cart')], pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM004',
    bad: () => [...base(), plugin({ targetRefs: [{ kind: 'Gateway', name: 'edge' }], pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM005',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge-istio')], pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM006',
    bad: () => [...base(), plugin({ targetRefs: [serviceRef('carts')], pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [serviceRef('cart')], pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM007',
    bad: () => [...base(), plugin({ targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'api' }], pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'api', namespace: 'shop' }, spec: { hosts: ['api.example.com'] } },
      plugin({ targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'api' }], pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM008',
    bad: () => [...base(), plugin({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name: 'istio-waypoint' }], pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name: 'istio-waypoint' }], pluginConfig: GOOD_CONFIG }, 'mesh-auth', 'istio-system')] },
  { code: 'WASM009',
    bad: () => base().map((o) => (o.kind === 'Namespace' ? { ...o, metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient' } } } : o))
      .concat([plugin({ targetRefs: [serviceRef('cart')], pluginConfig: GOOD_CONFIG })]),
    fixed: () => [...base(), plugin({ targetRefs: [serviceRef('cart')], pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM010',
    bad: () => [...base(), plugin({ targetRefs: Array.from({ length: 17 }, () => gatewayRef('edge')), pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: Array.from({ length: 16 }, () => gatewayRef('edge')), pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM011',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], sha256: 'abc123', pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], sha256: 'a'.repeat(64), pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM012',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], url: 'ftp://example.com/m.wasm' })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], url: 'https://example.com/m.wasm' })] },
  { code: 'WASM013',
    bad: () => [...base(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull', namespace: 'shop' }, type: 'Opaque' },
      plugin({ targetRefs: [gatewayRef('edge')], imagePullSecret: 'pull', pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull', namespace: 'shop' }, type: 'kubernetes.io/dockerconfigjson' },
      plugin({ targetRefs: [gatewayRef('edge')], imagePullSecret: 'pull', pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM014',
    bad: () => [...base(), { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'eg', namespace: 'shop' }, spec: { gatewayClassName: 'envoy-gateway', listeners: [] } },
      plugin({ targetRefs: [gatewayRef('eg')], pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM015',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], vmConfig: { env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] }, pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], vmConfig: { env: [{ name: 'A', value: '1' }] }, pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM020',
    bad: () => [...base(), plugin({ selector: { matchLabels: { app: 'cart' } }, pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [serviceRef('cart')], pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM021',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], failStrategy: 'FAIL_OPEN', pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM022',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('waypoint')], match: [{ ports: [{ number: 80 }] }], pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], match: [{ ports: [{ number: 80 }] }], pluginConfig: GOOD_CONFIG })] },
  { code: 'WASM023',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], priority: 10, pluginConfig: GOOD_CONFIG }, 'first'), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG }, 'second')],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], priority: 10, pluginConfig: GOOD_CONFIG }, 'first'), plugin({ targetRefs: [gatewayRef('edge')], priority: 5, pluginConfig: GOOD_CONFIG }, 'second')] },
  { code: 'WASM024',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('waypoint')], type: 'NETWORK', url: 'oci://example.com/l4:1' })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], type: 'NETWORK', url: 'oci://example.com/l4:1' })] },
  { code: 'WASM025',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], imagePullSecret: 'missing', pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG })] },
  { code: 'AMB001',
    bad: () => [...base(), { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'none', namespace: 'shop' }, spec: { gatewayClassName: 'istio-waypoint', listeners: [] } }],
    fixed: () => base() },
  { code: 'AMB002',
    bad: () => base().map((o) => (o.kind === 'Service' ? { ...o, metadata: { ...o.metadata, labels: { 'istio.io/use-waypoint': 'edge' } } } : o)),
    fixed: () => base().map((o) => (o.kind === 'Service' ? { ...o, metadata: { ...o.metadata, labels: { 'istio.io/use-waypoint': 'waypoint' } } } : o)) },
  { code: 'AMB003',
    bad: () => base().map((o) => (o.metadata.name === 'waypoint' ? { ...o, metadata: { ...o.metadata, labels: { 'istio.io/waypoint-for': 'services' } } } : o)),
    fixed: () => base().map((o) => (o.metadata.name === 'waypoint' ? { ...o, metadata: { ...o.metadata, labels: { 'istio.io/waypoint-for': 'service' } } } : o)) },
  { code: 'AMB004',
    bad: () => base().map((o) => (o.kind === 'Namespace' ? { ...o, metadata: { name: 'shop', labels: { 'istio.io/use-waypoint': 'waypoint' } } } : o)),
    fixed: () => base() },
  { code: 'BA001',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: { prefix: '/x' } } })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG })] },
  { code: 'BA002',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [{ prefix: '/a', exact: '/b', request_methods: ['GET'], credentials: ['ok:test'] }] } })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [{ prefix: '/a', request_methods: ['GET'], credentials: ['ok:test'] }] } })] },
  { code: 'BA003',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [{ suffix: '', request_methods: ['GET'], credentials: ['ok:test'] }] } })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [{ suffix: '.json', request_methods: ['GET'], credentials: ['ok:test'] }] } })] },
  { code: 'BA004',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [{ prefix: '/a', request_methods: [], credentials: ['ok:test'] }] } })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG })] },
  { code: 'BA005',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [{ prefix: '/a', request_methods: ['GET'] }] } })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG })] },
  { code: 'BA006',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [{ prefix: '/a', request_methods: ['GET'], credentials: ['admin'] }] } })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [{ prefix: '/a', request_methods: ['GET'], credentials: ['YWRtaW4zOmFkbWluMw=='] }] } })] },
  { code: 'BA007',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { ...GOOD_CONFIG, realm: 42 } })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { ...GOOD_CONFIG, realm: 'shop' } })] },
  { code: 'BA008',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [{ ...GOOD_CONFIG.basic_auth_rules[0], hosts: 'a.com' }] } })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [{ ...GOOD_CONFIG.basic_auth_rules[0], hosts: ['a.com'] }] } })] },
  { code: 'BA009',
    bad: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: GOOD_CONFIG })],
    fixed: () => [...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [{ ...GOOD_CONFIG.basic_auth_rules[0], credentials: ['<path:secret/data/shop#cart>'] }] } })] },
  { code: 'ARGO001',
    bad: () => withWaves({ waypoint: '0' }, [plugin({ targetRefs: [serviceRef('cart')], pluginConfig: GOOD_CONFIG, }, 'cart-auth')], '0'),
    fixed: () => withWaves({ waypoint: '0' }, [plugin({ targetRefs: [serviceRef('cart')], pluginConfig: GOOD_CONFIG })], '2') },
  { code: 'ARGO002',
    bad: () => withWaves({ edge: '1' }, [route('1')]),
    fixed: () => withWaves({ edge: '0' }, [route('1')]) },
  { code: 'ARGO003',
    bad: () => withWaves({ shop: '0', cart: '-1' }),
    fixed: () => withWaves({ shop: '-2', cart: '-1' }) },
];

/** base() with sync-wave annotations on the named objects, plus extra objects; `pluginWave` goes on WasmPlugins. */
function withWaves(waves: Record<string, string>, extra: any[] = [], pluginWave?: string): any[] {
  const annotate = (o: any, wave: string | undefined) => (wave === undefined ? o
    : { ...o, metadata: { ...o.metadata, annotations: { 'argocd.argoproj.io/sync-wave': wave } } });
  return [...base(), ...extra].map((o) => annotate(o, o.kind === 'WasmPlugin' ? pluginWave : waves[o.metadata.name]));
}

function route(wave: string): any {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'cart', namespace: 'shop', annotations: { 'argocd.argoproj.io/sync-wave': wave } },
    spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'cart', port: 80 }] }] } };
}

describe('rule set', () => {
  test.each(cases.map((c) => [c.code, c] as const))('%s fires on the bad fixture and not on its fixed twin', (code, c) => {
    expect(codes(c.bad())).toContain(code);
    expect(codes(c.fixed())).not.toContain(code);
  });

  test('the fixed fixtures raise no error at all', () => {
    for (const c of cases) {
      const errors = run(c.fixed()).filter((f) => f.severity === Severity.ERROR);
      expect(errors.map(formatFinding)).toEqual([]);
    }
  });

  test('a finding names the object, origin, field, value and fix', () => {
    const [f] = run([...base(), plugin({ targetRefs: [gatewayRef('edge-istio')], pluginConfig: GOOD_CONFIG })]);
    expect(formatFinding(f)).toBe(
      'WASM005 WasmPlugin shop/cart-auth (fixture.yaml:5): spec.targetRefs[0].name: no Gateway of that name in namespace shop, ' +
      'so the plugin applies to nothing (got "edge-istio"); create Gateway shop/edge-istio or name an existing one (the Gateway name, not its "-istio" Deployment)');
  });

  test.each([
    ['use-waypoint: none on the Service', (o: any) => (o.kind === 'Service' ? { ...o, metadata: { ...o.metadata, labels: { 'istio.io/use-waypoint': 'none' } } } : o), /opted out with istio.io\/use-waypoint: none/],
    ['a waypoint for workloads only', (o: any) => (o.metadata.name === 'waypoint' ? { ...o, metadata: { ...o.metadata, labels: { 'istio.io/waypoint-for': 'workload' } } } : o), /waypoint-for is "workload" and takes no service traffic/],
    ['a use-waypoint naming an ingress Gateway', (o: any) => (o.kind === 'Namespace' ? { ...o, metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'edge' } } } : o), /not istio-waypoint/],
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

  test('BA009 names the rule and masks the credentials it warns about', () => {
    const f = run([...base(), plugin({ targetRefs: [gatewayRef('edge')], pluginConfig: { basic_auth_rules: [GOOD_CONFIG.basic_auth_rules[0], { prefix: '/b', request_methods: ['GET'], credentials: ['YWRtaW4zOmFkbWluMw=='] }] } })])
      .filter((x) => x.code === 'BA009');
    expect(f.map((x) => x.field)).toEqual(['spec.pluginConfig.basic_auth_rules[0].credentials', 'spec.pluginConfig.basic_auth_rules[1].credentials']);
    expect(f.map((x) => x.value)).toEqual(['["ok:***"]', '["YWRt***"]']);
    expect(f.map(formatFinding).join()).not.toMatch(/test|YWRtaW4z/);
  });

  test('warnings are warnings, errors are errors', () => {
    const all = cases.flatMap((c) => run(c.bad()));
    expect(all.find((f) => f.code === 'WASM021')!.severity).toBe(Severity.WARNING);
    expect(all.find((f) => f.code === 'WASM009')!.severity).toBe(Severity.ERROR);
  });
});

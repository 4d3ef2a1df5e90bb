// The ingress side of the model, case by case against Istio 1.30.3 (pilot/pkg/config/kube/gateway/ and its testdata):
// hostname overlap, which listeners a route attaches to, listener TLS, backends, and rule order.
import * as fc from 'fast-check';
import { MeshModel } from '../../src/model/mesh-model';
import { hostIntersection, hostSubsetOf, hostsOverlap, pickDomain } from '../../src/model/hostnames';
import {
  CertificateProblem, gatewayServices, labelSelectorMatches, listenerAdmitsNamespace, listenersOf, resolveListenerTls, supportedKinds,
} from '../../src/model/listeners';
import { AttachFailure, hostnameAllowedByIsolation, resolveParentRefs, virtualHosts } from '../../src/model/route-attachment';
import { BackendFailure, compareSpecificity, routeProgram, sortRules, tieBreak } from '../../src/model/route-rules';

const GW = 'gateway.networking.k8s.io';
const model = (objects: any[]) => MeshModel.build(objects.map((manifest, i) => ({ manifest, origin: `objects[${i}]` })));
const entry = (m: MeshModel, kind: string, ns: string, name: string) => m.entries.find((e) => e.kind === kind && e.namespace === ns && e.name === name)!;
/** Namespaces as Istio's conversion test makes them: label istio.io/test-name-part = the name's first dash segment. */
const testNs = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'istio.io/test-name-part': name.split('-')[0] } } });
const gateway = (name: string, namespace: string, listeners: any[], extra: any = {}) =>
  ({ apiVersion: `${GW}/v1`, kind: 'Gateway', metadata: { name, namespace, ...(extra.metadata ?? {}) }, spec: { gatewayClassName: 'istio', listeners, ...(extra.spec ?? {}) } });
const httpRoute = (name: string, namespace: string, spec: any, metadata: any = {}) => ({ apiVersion: `${GW}/v1`, kind: 'HTTPRoute', metadata: { name, namespace, ...metadata }, spec });
const service = (name: string, namespace: string, ports = [80]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: ports.map((port) => ({ port })) } });
const sel = (selector: any) => ({ namespaces: { from: 'Selector', selector } });

describe('hostnames (pkg/config/host/name.go Matches, SubsetOf)', () => {
  test('the Matches examples of name.go', () => {
    expect(hostsOverlap('foo.com', 'foo.com')).toBe(true);
    expect(hostsOverlap('foo.com', 'bar.com')).toBe(false);
    expect(hostsOverlap('*.com', 'foo.com')).toBe(true);
    expect(hostsOverlap('bar.com', '*.com')).toBe(true);
    expect(hostsOverlap('*.foo.com', 'foo.com')).toBe(false);
    expect(hostsOverlap('*', 'foo.com')).toBe(true);
    expect(hostsOverlap('*', '*.com')).toBe(true);
  });

  test('SubsetOf is one direction of Matches; the intersection keeps the more specific name', () => {
    expect(hostSubsetOf('a.foo.com', '*.foo.com')).toBe(true);
    expect(hostSubsetOf('*.foo.com', 'a.foo.com')).toBe(false);
    expect(hostSubsetOf('*.a.foo.com', '*.foo.com')).toBe(true);
    expect(hostIntersection('*.example.com', '*')).toBe('*.example.com');
    expect(hostIntersection('a.example.com', '*.example.com')).toBe('a.example.com');
    expect(hostIntersection('a.example.com', 'b.example.com')).toBeUndefined();
  });

  test('property: overlap is symmetric, and a subset always overlaps', () => {
    const label = fc.stringMatching(/^[a-c]{1,2}$/);
    const name = fc.tuple(fc.boolean(), fc.array(label, { minLength: 1, maxLength: 3 })).map(([w, ls]) => (w ? `*.${ls.join('.')}` : ls.join('.')));
    fc.assert(fc.property(name, name, (a, b) => {
      expect(hostsOverlap(a, b)).toBe(hostsOverlap(b, a));
      if (hostSubsetOf(a, b)) expect(hostsOverlap(a, b)).toBe(true);
    }));
  });

  test('Envoy picks the exact domain, then the longest wildcard, then *', () => {
    const domains = ['*', '*.example.com', '*.a.example.com', 'x.a.example.com'];
    expect(pickDomain(domains, 'x.a.example.com')).toBe('x.a.example.com');
    expect(pickDomain(domains, 'y.a.example.com')).toBe('*.a.example.com');
    expect(pickDomain(domains, 'b.example.com')).toBe('*.example.com');
    expect(pickDomain(domains, 'example.com')).toBe('*');
    expect(pickDomain(['*.example.com'], 'example.com')).toBeUndefined();
  });
});

describe('route attachment: testdata/route-binding.yaml (conversion.go referenceAllowed, generateSupportedKinds)', () => {
  const listener = (name: string, allowedRoutes?: any) => ({ name, hostname: `*.${name}.example`, port: 80, protocol: 'HTTP', ...(allowedRoutes ? { allowedRoutes } : {}) });
  const objects = [
    ...['default', 'istio-system', 'group-namespace1', 'group-namespace2'].map(testNs),
    gateway('gateway', 'istio-system', [
      { name: 'default', hostname: '*.domain.example', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
      listener('foobar', { namespaces: { from: 'All' }, kinds: [{ kind: 'HTTPRoute' }] }),
      listener('same-namespace'),
      listener('scope-route', { namespaces: { from: 'All' }, kinds: [{ kind: 'TCPRoute' }] }),
      listener('slctr-labels', sel({ matchLabels: { 'istio.io/test-name-part': 'group' } })),
      listener('slctr-expr-in-yes', sel({ matchExpressions: [{ key: 'istio.io/test-name-part', operator: 'In', values: ['group'] }] })),
      listener('slctr-expr-in-no', sel({ matchExpressions: [{ key: 'istio.io/test-name-part', operator: 'In', values: ['public'] }] })),
      listener('slctr-expr-notin-yes', sel({ matchExpressions: [{ key: 'istio.io/test-name-part', operator: 'NotIn', values: ['private'] }, { key: 'istio.io/test-label-not-found', operator: 'NotIn', values: ['irrelevant'] }] })),
      listener('slctr-expr-notin-no', sel({ matchExpressions: [{ key: 'istio.io/test-name-part', operator: 'NotIn', values: ['group'] }, { key: 'istio.io/test-label-not-found', operator: 'NotIn', values: ['irrelevant'] }] })),
      listener('slctr-expr-exists-yes', sel({ matchExpressions: [{ key: 'istio.io/test-name-part', operator: 'Exists' }] })),
      listener('slctr-expr-exists-no', sel({ matchExpressions: [{ key: 'istio.io/test-name-public', operator: 'Exists' }] })),
      listener('slctr-expr-dne-yes', sel({ matchExpressions: [{ key: 'istio.io/test-label-not-found', operator: 'DoesNotExist' }] })),
      listener('slctr-expr-dne-no', sel({ matchExpressions: [{ key: 'istio.io/test-name-part', operator: 'DoesNotExist' }] })),
      listener('slctr-combined-yes', sel({ matchLabels: { 'istio.io/test-name-part': 'group' }, matchExpressions: [{ key: 'istio.io/test-name-part', operator: 'In', values: ['group'] }] })),
      listener('slctr-combined-no', sel({ matchLabels: { 'istio.io/test-name-part': 'public' }, matchExpressions: [{ key: 'istio.io/test-name-part', operator: 'In', values: ['group'] }] })),
    ], { spec: { addresses: [{ value: 'istio-ingressgateway', type: 'Hostname' }] } }),
    httpRoute('section-name-cross-namespace', 'default', { parentRefs: [{ name: 'gateway', namespace: 'istio-system', sectionName: 'foobar' }], hostnames: ['alpha.foobar.example'] }),
    httpRoute('same-namespace-valid', 'istio-system', { parentRefs: [{ name: 'gateway', namespace: 'istio-system', sectionName: 'foobar' }, { name: 'gateway', namespace: 'istio-system', sectionName: 'same-namespace' }] }),
    httpRoute('same-namespace-invalid', 'default', { parentRefs: [{ kind: 'Gateway', name: 'gateway', namespace: 'istio-system', sectionName: 'same-namespace' }], hostnames: ['foo.same.example'] }),
    httpRoute('host-mismatch', 'default', { parentRefs: [{ name: 'gateway', namespace: 'istio-system', sectionName: 'foobar' }], hostnames: ['no.match.example'] }),
    httpRoute('bind-all', 'default', { parentRefs: [{ name: 'gateway', namespace: 'istio-system' }] }),
    httpRoute('bind-cross-namespace', 'group-namespace1', { parentRefs: ['slctr-labels', 'slctr-expr-in-yes', 'slctr-expr-in-no', 'slctr-expr-notin-yes', 'slctr-expr-notin-no',
      'slctr-expr-exists-yes', 'slctr-expr-exists-no', 'slctr-expr-dne-yes', 'slctr-expr-dne-no', 'slctr-combined-yes', 'slctr-combined-no']
      .map((sectionName) => ({ name: 'gateway', namespace: 'istio-system', sectionName })) }),
    httpRoute('invalid-bind-cross-namespace', 'default', { parentRefs: [{ name: 'gateway', namespace: 'istio-system', sectionName: 'slctr-labels' }] }),
  ];
  const m = model(objects);
  const refs = (ns: string, name: string) => resolveParentRefs(m, entry(m, 'HTTPRoute', ns, name));
  const accepted = (ns: string, name: string) => refs(ns, name).flatMap((r) => r.listeners.filter((a) => a.verdict === 'yes').map((a) => a.listener.name));

  test('a route without sectionName binds to every listener that admits it: bind-all gets 6 parents', () => {
    expect(accepted('default', 'bind-all').sort()).toEqual(['default', 'foobar', 'slctr-expr-dne-yes', 'slctr-expr-exists-yes', 'slctr-expr-notin-no', 'slctr-expr-notin-yes']);
  });

  test('the status golden: Accepted, NoMatchingListenerHostname, NotAllowedByListeners per parentRef', () => {
    expect(refs('default', 'section-name-cross-namespace')[0].verdict).toBe('yes');
    expect(refs('istio-system', 'same-namespace-valid').map((r) => r.verdict)).toEqual(['yes', 'yes']);
    const failure = (ns: string, name: string, i = 0) => refs(ns, name)[i].listeners.find((a) => a.failure !== AttachFailure.NO_LISTENER)!.failure;
    // hostnames are checked before the namespace: foo.same.example misses *.same-namespace.example
    expect(failure('default', 'same-namespace-invalid')).toBe(AttachFailure.NO_HOSTNAME);
    expect(failure('default', 'host-mismatch')).toBe(AttachFailure.NO_HOSTNAME);
    expect(failure('default', 'invalid-bind-cross-namespace')).toBe(AttachFailure.NAMESPACE_NOT_ALLOWED);
    const cross = refs('group-namespace1', 'bind-cross-namespace').map((r) => `${r.sectionName} ${r.verdict}`);
    expect(cross).toEqual(['slctr-labels yes', 'slctr-expr-in-yes yes', 'slctr-expr-in-no no', 'slctr-expr-notin-yes yes', 'slctr-expr-notin-no no',
      'slctr-expr-exists-yes yes', 'slctr-expr-exists-no no', 'slctr-expr-dne-yes yes', 'slctr-expr-dne-no no', 'slctr-combined-yes yes', 'slctr-combined-no no']);
    expect(refs('group-namespace1', 'bind-cross-namespace')[2].listeners.find((a) => a.listener.name === 'slctr-expr-in-no')!.failure).toBe(AttachFailure.NAMESPACE_NOT_ALLOWED);
  });

  test('allowedRoutes.kinds narrows the protocol\'s kinds, and a kind the protocol lacks makes the listener invalid', () => {
    const [, foobar, , scope] = listenersOf(entry(m, 'Gateway', 'istio-system', 'gateway'));
    expect(supportedKinds(foobar)).toEqual({ kinds: [{ group: GW, kind: 'HTTPRoute' }], valid: true });
    // the status golden reports ResolvedRefs InvalidRouteKinds for scope-route
    expect(supportedKinds(scope)).toEqual({ kinds: [], valid: false });
    const bindAll = refs('default', 'bind-all')[0].listeners.find((a) => a.listener.name === 'scope-route')!;
    expect(bindAll.failure).toBe(AttachFailure.KIND_NOT_ALLOWED);
  });

  test('a parentRef that names no Gateway, or no listener by sectionName or port, attaches nowhere', () => {
    const m2 = model([...objects, httpRoute('typo', 'default', { parentRefs: [{ name: 'gatewy', namespace: 'istio-system' }, { name: 'gateway', namespace: 'istio-system', sectionName: 'nope' }, { name: 'gateway', namespace: 'istio-system', port: 1234 }] })]);
    const r = resolveParentRefs(m2, entry(m2, 'HTTPRoute', 'default', 'typo'));
    expect(r.map((x) => x.failure)).toEqual([AttachFailure.NO_GATEWAY, AttachFailure.NO_LISTENER, AttachFailure.NO_LISTENER]);
    // testdata/invalid.yaml invalid-parentRef-port: "port 1234 not found"
    expect(r[2].why).toMatch(/no listener with port 1234/);
  });

  test('Service and ServiceEntry parents are mesh parents, not judged here', () => {
    const m2 = model([...objects, httpRoute('mesh', 'default', { parentRefs: [{ group: '', kind: 'Service', name: 'httpbin' }] })]);
    expect(resolveParentRefs(m2, entry(m2, 'HTTPRoute', 'default', 'mesh'))[0].ingress).toBe(false);
  });
});

describe('listener admission of namespaces (conversion.go namespacesFromSelector, toNamespaceSet)', () => {
  const gw = (allowedRoutes: any) => gateway('gw', 'edge', [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes }]);
  const verdict = (allowedRoutes: any, ns = 'shop', objects: any[] = [testNs('shop')]) => {
    const m = model([gw(allowedRoutes), ...objects]);
    const g = entry(m, 'Gateway', 'edge', 'gw');
    return listenerAdmitsNamespace(m, g, listenersOf(g)[0], ns).verdict;
  };

  test('Same (the default) admits only the Gateway\'s namespace; All admits any', () => {
    expect(verdict(undefined)).toBe('no');
    expect(verdict(undefined, 'edge')).toBe('yes');
    expect(verdict({ namespaces: { from: 'All' } })).toBe('yes');
  });

  test('Selector matches Namespace labels, with kubernetes.io/metadata.name implied (testdata/reference-policy-tls.yaml)', () => {
    expect(verdict(sel({ matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }))).toBe('yes');
    expect(verdict(sel({ matchLabels: { 'istio.io/test-name-part': 'shop' } }))).toBe('yes');
    expect(verdict(sel({ matchLabels: { team: 'x' } }))).toBe('no');
  });

  test('Selector without a selector admits every namespace in istiod\'s ingress path ("should never happen, invalid config")', () => {
    expect(verdict({ namespaces: { from: 'Selector' } })).toBe('yes');
  });

  test('a malformed selector admits none (LabelSelectorAsSelector fails, namespacesFromSelector returns nil)', () => {
    expect(verdict(sel({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }))).toBe('no');
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, { a: '1' }).error).toMatch(/takes no values/);
  });

  test('a Namespace that is not among the manifests: its labels are unknown, so is the admission', () => {
    expect(verdict(sel({ matchLabels: { team: 'x' } }), 'shop', [])).toBe('unknown');
  });
});

describe('listener TLS (conversion.go buildTLS, buildSecretReference; pilot/pkg/credentials/kube/secrets.go ExtractCertInfo)', () => {
  const tlsSecret = (name: string, namespace: string, data: any = { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' }, type = 'kubernetes.io/tls') =>
    ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type, data });
  const https = (tls: any, hostname = 'domain.example') => gateway('gateway', 'istio-system', [{ name: 'default', hostname, port: 443, protocol: 'HTTPS', ...(tls ? { tls } : {}) }]);
  const resolve = (objects: any[]) => {
    const m = model(objects);
    const g = entry(m, 'Gateway', 'istio-system', 'gateway');
    return resolveListenerTls(m, g, listenersOf(g)[0]);
  };

  test('testdata/invalid.yaml: invalid-cert-kind (only Secret), invalid-cert-notfound (not in the manifests: unknown)', () => {
    const kind = resolve([https({ mode: 'Terminate', certificateRefs: [{ name: 'my-cert-http', group: 'core', kind: 'unknown' }] })]);
    expect(kind.certificates[0].problem).toBe(CertificateProblem.NOT_A_SECRET);
    expect(kind.programmed).toBe('no');
    const missing = resolve([https({ mode: 'Terminate', certificateRefs: [{ name: 'nonexistent', kind: 'Secret' }] })]);
    expect(missing.certificates[0].problem).toBe(CertificateProblem.MISSING);
    expect(missing.programmed).toBe('unknown');
  });

  test('a Secret without tls.crt/tls.key (or cert/key) values gives no certificate; an Opaque Secret with them does', () => {
    expect(resolve([https({ certificateRefs: [{ name: 'c' }] }), tlsSecret('c', 'istio-system', { 'tls.crt': '', 'tls.key': 'a2V5' })]).certificates[0].problem).toBe(CertificateProblem.NO_KEYS);
    const opaque = resolve([https({ certificateRefs: [{ name: 'c' }] }), tlsSecret('c', 'istio-system', { cert: 'eA==', key: 'eA==' }, 'Opaque')]);
    expect(opaque.programmed).toBe('yes');
    expect(opaque.certificates[0].secretType).toBe('Opaque');
  });

  test('testdata/reference-policy-tls.yaml: a Secret in another namespace needs a ReferenceGrant from Gateways there', () => {
    const gw = https({ mode: 'Terminate', certificateRefs: [{ name: 'cert', namespace: 'cert' }] }, 'cert1.domain.example');
    const grant = { apiVersion: `${GW}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'allow-cert', namespace: 'cert' },
      spec: { from: [{ group: GW, kind: 'Gateway', namespace: 'istio-system' }], to: [{ group: '', kind: 'Secret' }] } };
    expect(resolve([gw, tlsSecret('cert', 'cert')]).certificates[0].problem).toBe(CertificateProblem.NOT_PERMITTED);
    const ok = resolve([gw, tlsSecret('cert', 'cert'), grant]);
    expect(ok.programmed).toBe('yes');
    expect(ok.certificates[0].grant?.name).toBe('allow-cert');
    // a grant for HTTPRoutes does not let a Gateway read the Secret
    const wrong = { ...grant, spec: { ...grant.spec, from: [{ group: GW, kind: 'HTTPRoute', namespace: 'istio-system' }] } };
    expect(resolve([gw, tlsSecret('cert', 'cert'), wrong]).certificates[0].problem).toBe(CertificateProblem.NOT_PERMITTED);
  });

  test('more than 2 certificateRefs: istiod refuses the listener; ISTIO_SIMPLE needs none; Passthrough reads none', () => {
    const three = resolve([https({ certificateRefs: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }), tlsSecret('a', 'istio-system'), tlsSecret('b', 'istio-system'), tlsSecret('c', 'istio-system')]);
    expect(three.programmed).toBe('no');
    expect(resolve([https({ options: { 'gateway.istio.io/tls-terminate-mode': 'ISTIO_SIMPLE' } })]).programmed).toBe('yes');
    expect(resolve([https({ mode: 'Passthrough' })]).mode).toBe('Passthrough');
  });

  test('a Secret a cert-manager Certificate creates counts as present', () => {
    const cert = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'shop', namespace: 'istio-system' }, spec: { secretName: 'shop-tls' } };
    const r = resolve([https({ certificateRefs: [{ name: 'shop-tls' }] }), cert]);
    expect(r.programmed).toBe('yes');
    expect(r.certificates[0].producer?.kind).toBe('Certificate');
  });

  test('an HTTPS listener without tls: the Gateway API requires it; what istiod does then is not decided here', () => {
    expect(resolve([https(undefined)]).programmed).toBe('unknown');
  });
});

describe('the Service of a gateway (conversion.go extractGatewayServices, gatewaycommon IsManaged, GetDefaultName)', () => {
  const svcOf = (extra: any) => {
    const m = model([gateway('edge', 'shop', [{ name: 'http', port: 80, protocol: 'HTTP' }], extra)]);
    return gatewayServices(m, entry(m, 'Gateway', 'shop', 'edge'));
  };
  test('managed: <name>-<class>, or the name-override annotation; one IP address keeps it managed', () => {
    expect(svcOf({}).services).toEqual([{ namespace: 'shop', name: 'edge-istio' }]);
    expect(svcOf({ metadata: { annotations: { 'gateway.istio.io/name-override': 'front' } } }).services).toEqual([{ namespace: 'shop', name: 'front' }]);
    expect(svcOf({ spec: { addresses: [{ type: 'IPAddress', value: '10.0.0.1' }] } }).managed).toBe(true);
  });
  test('a Hostname address binds to an existing Service: short names in the Gateway\'s namespace', () => {
    expect(svcOf({ spec: { addresses: [{ type: 'Hostname', value: 'istio-ingressgateway' }] } })).toEqual({ managed: false, services: [{ namespace: 'shop', name: 'istio-ingressgateway' }] });
    expect(svcOf({ spec: { addresses: [{ value: 'ingress.istio-system.svc.cluster.local', type: 'Hostname' }] } }).services).toEqual([{ namespace: 'istio-system', name: 'ingress' }]);
  });
});

describe('what istiod programs of a route (conversion.go convertHTTPRoute, buildHTTPDestination, buildDestination)', () => {
  const base = [testNs('default'), gateway('gw', 'default', [{ name: 'http', port: 80, protocol: 'HTTP' }]), service('httpbin', 'default', [80])];
  const program = (spec: any, extra: any[] = []) => {
    const m = model([...base, ...extra, httpRoute('r', 'default', { parentRefs: [{ name: 'gw' }], ...spec })]);
    return routeProgram(m, entry(m, 'HTTPRoute', 'default', 'r'));
  };

  test('no backendRefs: 404; backendRefs all of weight 0: 500 (a GRPCRoute answers 500 for both)', () => {
    expect(program({ rules: [{}] }).rules[0].direct?.status).toBe(404);
    expect(program({ rules: [{ backendRefs: [{ name: 'httpbin', port: 80, weight: 0 }] }] }).rules[0].direct?.status).toBe(500);
    expect(program({ rules: [{ backendRefs: [{ name: 'httpbin', port: 80 }] }] }).rules[0].direct).toBeUndefined();
  });

  test('testdata/invalid.yaml backends: unsupported kind, not found, and a port the Service lacks all reach no cluster (500 in route.go)', () => {
    const [kind] = program({ rules: [{ backendRefs: [{ name: 'httpbin', kind: 'GcsBucket' }] }] }).rules[0].backends;
    expect(kind.failure).toBe(BackendFailure.UNSUPPORTED_KIND);
    const [missing] = program({ rules: [{ backendRefs: [{ name: 'nonexistent', port: 80 }] }] }).rules[0].backends;
    expect(missing.failure).toBe(BackendFailure.NOT_FOUND);
    const [port] = program({ rules: [{ backendRefs: [{ name: 'httpbin', port: 81 }] }] }).rules[0].backends;
    expect(port.failure).toBe(BackendFailure.NO_SUCH_PORT);
  });

  test('a backend in another namespace needs a ReferenceGrant from HTTPRoutes there (testdata/reference-policy-service.yaml)', () => {
    const far = [testNs('other'), service('echo', 'other', [80])];
    expect(program({ rules: [{ backendRefs: [{ name: 'echo', namespace: 'other', port: 80 }] }] }, far).rules[0].backends[0].failure).toBe(BackendFailure.NOT_PERMITTED);
    const grant = { apiVersion: `${GW}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'other' },
      spec: { from: [{ group: GW, kind: 'HTTPRoute', namespace: 'default' }], to: [{ group: '', kind: 'Service', name: 'echo' }] } };
    expect(program({ rules: [{ backendRefs: [{ name: 'echo', namespace: 'other', port: 80 }] }] }, [...far, grant]).rules[0].backends[0].failure).toBeUndefined();
  });

  test('hard errors drop every rule of the route: an unsupported filter (ExtensionRef), a backendRef without port, a hostname as Service name', () => {
    const ext = program({ rules: [{ backendRefs: [{ name: 'httpbin', port: 80 }] }, { filters: [{ type: 'ExtensionRef', extensionRef: { group: 'x', kind: 'Y', name: 'z' } }] }] });
    expect(ext.rules).toEqual([]);
    expect(ext.dropped?.field).toBe('spec.rules[1].filters[0].type');
    expect(program({ rules: [{ backendRefs: [{ name: 'httpbin' }] }] }).dropped?.field).toBe('spec.rules[0].backendRefs[0].port');
    expect(program({ rules: [{ backendRefs: [{ name: 'httpbin.default.svc', port: 80 }] }] }).dropped?.why).toMatch(/not a hostname/);
    // a header value with a control character (createHeadersFilter, TestCreateHeadersFilter)
    expect(program({ rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-foo', value: 'bar\rbaz' }] } }] }] }).dropped).toBeDefined();
    expect(program({ rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-foo', value: 'bar\tbaz' }] } }] }] }).dropped).toBeUndefined();
  });

  test('a bad mirror backend keeps the HTTPRoute (the mirror is dropped); a weight-0 backend is never looked at', () => {
    const p = program({ rules: [{ filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { kind: 'no-support', name: 'httpbin-mirror', port: 80 } } }], backendRefs: [{ name: 'httpbin', port: 80 }] }] });
    expect(p.dropped).toBeUndefined();
    expect(p.rules[0].filters.mirrors[0].failure).toBe(BackendFailure.UNSUPPORTED_KIND);
    expect(program({ rules: [{ backendRefs: [{ name: 'httpbin', weight: 0 }, { name: 'httpbin', port: 80 }] }] }).dropped).toBeUndefined();
  });

  test('a PathPrefix loses its trailing "/" (createURIMatch); a rule without matches is PathPrefix "/"', () => {
    const p = program({ rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/foo/' } }], backendRefs: [{ name: 'httpbin', port: 80 }] }, { backendRefs: [{ name: 'httpbin', port: 80 }] }] });
    expect(p.rules.map((r) => r.match.path)).toEqual([{ type: 'PathPrefix', value: '/foo' }, { type: 'PathPrefix', value: '/' }]);
  });
});

describe('rule order (conversion.go sortHTTPRoutes and TestSortHTTPRoutes; route.go SortVHostRoutes)', () => {
  const m = (path?: any, extra: any = {}) => ({ path: path ?? { type: 'Any', value: '' }, headers: [], queryParams: [], ...extra });
  const first = (a: any, b: any) => compareSpecificity(a, b) < 0;

  test('TestSortHTTPRoutes: exact > prefix > regex; longer prefix first; path > method > header > query', () => {
    expect(first(m({ type: 'Exact', value: '/foo' }), m({ type: 'PathPrefix', value: '/' }))).toBe(true);
    expect(first(m({ type: 'PathPrefix', value: '/foobar' }), m({ type: 'PathPrefix', value: '/foo' }))).toBe(true);
    expect(first(m({ type: 'PathPrefix', value: '/foo' }), m({ type: 'RegularExpression', value: '.*foo' }))).toBe(true);
    expect(first(m({ type: 'PathPrefix', value: '/foobar' }), m(undefined, { method: 'GET' }))).toBe(true);
    expect(first(m(undefined, { method: 'GET' }), m(undefined, { headers: [{ name: 'a', type: 'Exact', value: '1' }] }))).toBe(true);
    const twoHeaders = m(undefined, { headers: [{ name: 'a', type: 'Exact', value: '1' }, { name: 'b', type: 'Exact', value: '2' }] });
    expect(first(twoHeaders, m(undefined, { headers: [{ name: 'a', type: 'Exact', value: '1' }] }))).toBe(true);
    expect(first(m(undefined, { headers: [{ name: 'a', type: 'Exact', value: '1' }] }), m(undefined, { queryParams: [{ name: 'a', type: 'Exact', value: '1' }] }))).toBe(true);
  });

  test('a catch-all "/" prefix (no header, query or method match) goes after a regex (IsCatchAllRoute)', () => {
    expect(first(m({ type: 'RegularExpression', value: '/x.*' }), m({ type: 'PathPrefix', value: '/' }))).toBe(true);
    expect(first(m({ type: 'PathPrefix', value: '/' }, { method: 'PATCH' }), m({ type: 'RegularExpression', value: '/x.*' }))).toBe(true);
  });

  test('equal matches: the older route, then namespace/name (sortRoutesByCreationTime); undecided without timestamps', () => {
    const objects = (ta?: string, tb?: string) => model([
      httpRoute('b', 'default', { rules: [{}] }, ta ? { creationTimestamp: ta } : {}),
      httpRoute('a', 'default', { rules: [{}] }, tb ? { creationTimestamp: tb } : {}),
    ]);
    const rulesOf = (mm: MeshModel) => ['b', 'a'].map((n) => routeProgram(mm, entry(mm, 'HTTPRoute', 'default', n)).rules[0]);
    const [b1, a1] = rulesOf(objects('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'));
    expect(tieBreak(b1, a1)).toEqual({ order: expect.any(Number), by: 'creation time' });
    expect(sortRules([a1, b1])[0]).toBe(b1);
    const [b2, a2] = rulesOf(objects('2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'));
    expect(tieBreak(b2, a2).by).toBe('namespace/name');
    expect(sortRules([b2, a2])[0]).toBe(a2);
    const [b3, a3] = rulesOf(objects());
    expect(tieBreak(b3, a3).by).toBe('undecided');
  });
});

describe('virtual hosts: one per listener hostname and route hostname (route_collections.go, conversion.go hostnameAllowedByIsolation)', () => {
  test('a wildcard listener does not take a hostname a more exact listener on the same port owns (testdata/isolation.yaml)', () => {
    const gw = gateway('gw', 'default', [
      { name: 'wild', port: 80, protocol: 'HTTP', hostname: '*.example.com' },
      { name: 'exact', port: 80, protocol: 'HTTP', hostname: 'foo.example.com' },
    ]);
    const m = model([gw]);
    const [wild, exact] = listenersOf(entry(m, 'Gateway', 'default', 'gw'));
    expect(hostnameAllowedByIsolation('foo.example.com', wild, [wild, exact])).toBe(false);
    expect(hostnameAllowedByIsolation('bar.example.com', wild, [wild, exact])).toBe(true);
    expect(hostnameAllowedByIsolation('foo.example.com', exact, [wild, exact])).toBe(true);
    // a route without hostnames on the wildcard listener still serves other names under it
    expect(hostnameAllowedByIsolation('*', wild, [wild, exact])).toBe(true);
  });

  test('plain-HTTP listeners of one port share the route table: the domains of both', () => {
    const m = model([
      gateway('gw', 'default', [{ name: 'wild', port: 80, protocol: 'HTTP', hostname: '*.example.com' }, { name: 'exact', port: 80, protocol: 'HTTP', hostname: 'foo.example.com' }]),
      httpRoute('any', 'default', { parentRefs: [{ name: 'gw' }] }),
    ]);
    const g = entry(m, 'Gateway', 'default', 'gw');
    expect([...virtualHosts(m, g, listenersOf(g)).keys()].sort()).toEqual(['*.example.com', 'foo.example.com']);
  });

  test('testdata/isolation.yaml: the VirtualServices istiod makes, and the host each request reaches', () => {
    const listeners = [
      { name: 'empty-hostname', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
      ...['*.example.com', '*.foo.example.com', 'abc.foo.example.com'].map((hostname) => ({ name: hostname.replace('*', 'wildcard').replace(/\./g, '-'), port: 80, protocol: 'HTTP', hostname, allowedRoutes: { namespaces: { from: 'All' } } })),
    ];
    const hostnames = ['bar.com', '*.example.com', '*.foo.example.com', 'abc.foo.example.com'];
    const ns = 'gateway-conformance-infra';
    const routes = listeners.map((l) => httpRoute(`attaches-to-${l.name}-with-hostname-intersection`, ns, {
      parentRefs: [{ name: 'isolation', namespace: ns, sectionName: l.name }], hostnames,
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: `/${l.name}` } }], backendRefs: [{ name: 'infra-backend-v1', port: 8080 }] }] }));
    const mm = model([gateway('isolation', ns, listeners), ...routes]);
    const g = entry(mm, 'Gateway', ns, 'isolation');
    const vh = virtualHosts(mm, g, listenersOf(g));
    const keys = [...vh.values()].flat().map((v) => v.mergeKey).sort();
    // the golden's VirtualServices, less abc-foo-example-com~bar.com, whose host meets no listener host (no Envoy virtual host)
    expect(keys).toEqual(['abc-foo-example-com/*.example.com', 'abc-foo-example-com/*.foo.example.com', 'abc-foo-example-com/abc.foo.example.com',
      'empty-hostname/bar.com', 'wildcard-example-com/*.example.com', 'wildcard-foo-example-com/*.example.com', 'wildcard-foo-example-com/*.foo.example.com']);
    const routeFor = (host: string) => [...new Set(vh.get(pickDomain(vh.keys(), host)!)!.map((v) => v.listener.name))];
    expect(routeFor('bar.com')).toEqual(['empty-hostname']);
    expect(routeFor('abc.foo.example.com')).toEqual(['abc-foo-example-com']);
    expect(routeFor('x.foo.example.com')).toEqual(['wildcard-foo-example-com']);
    expect(routeFor('x.example.com')).toEqual(['wildcard-example-com']);
  });
});

describe('hostile input: any JSON in the ingress objects never crashes the rules or the simulator', () => {
  test('property: rules and a request through the gateway run on arbitrary specs', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { runRules } = require('../../src/rules');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { Simulator } = require('../../src/simulate');
    const leaf = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -1, max: 70000 }), fc.boolean(), fc.constant(null),
      fc.constantFrom('/', '/a', '*', 'Exact', 'PathPrefix', 'RegularExpression', 'HTTPS', 'HTTP', 'TLS', 'Terminate', 'Passthrough', 'Service', 'Secret', 'edge', 'web', '(', '*.x.io'));
    const json = fc.letrec((tie) => ({ v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('name', 'port', 'protocol', 'hostname', 'tls', 'mode', 'certificateRefs', 'allowedRoutes', 'namespaces', 'from', 'selector',
        'kinds', 'kind', 'group', 'namespace', 'sectionName', 'rules', 'matches', 'path', 'type', 'value', 'headers', 'queryParams', 'method', 'filters',
        'backendRefs', 'weight', 'requestRedirect', 'urlRewrite', 'requestHeaderModifier', 'requestMirror', 'backendRef', 'set', 'to', 'hostnames', 'parentRefs', 'listeners'), tie('v'), { maxKeys: 4 })) })).v;
    fc.assert(fc.property(json, json, json, json, (gwSpec, routeSpec, grantSpec, secretData) => {
      const objects = [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web', labels: { 'istio.io/dataplane-mode': 'ambient' } } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'client', namespace: 'web' }, spec: { selector: { matchLabels: { app: 'client' } }, template: { metadata: { labels: { app: 'client' } }, spec: { containers: [{ name: 'c', image: 'c' }] } } } },
        service('web', 'web'),
        { apiVersion: `${GW}/v1`, kind: 'Gateway', metadata: { name: 'edge', namespace: 'web' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }], ...(gwSpec && typeof gwSpec === 'object' ? gwSpec : {}) } },
        { apiVersion: `${GW}/v1`, kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'web' }, spec: routeSpec },
        { apiVersion: `${GW}/v1`, kind: 'GRPCRoute', metadata: { name: 'g', namespace: 'web' }, spec: routeSpec },
        { apiVersion: `${GW}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'web' }, spec: grantSpec },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'edge', namespace: 'web' }, data: secretData },
      ];
      const m = model(objects);
      expect(Array.isArray(runRules(m))).toBe(true);
      const s = Simulator.from(m);
      for (const url of ['http://edge-istio.web/a?x=1', 'https://edge-istio.web/']) {
        const r = s.simulate({ from: 'web/client', url, headers: { 'x-a': '1' } });
        expect(r.status === 'unknown' || typeof r.status === 'number').toBe(true);
      }
    }), { numRuns: 300, examples: [[{ listeners: [{ name: Object.create(null) }] }, false, null, '']] });
  });
});

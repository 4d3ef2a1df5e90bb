import { Testing } from 'cdk8s';
import { AmbientNamespace, Bookinfo, BookinfoGateway, Curl, Sleep } from '../../src';
import { find, ofKind } from '../helpers';

describe('samples', () => {
  test('Bookinfo stamps 4 Services, 4 ServiceAccounts and 6 Deployments into the namespace', () => {
    const ns = new AmbientNamespace(Testing.app(), 'shop');
    new Bookinfo(ns, 'Bookinfo');
    const out = Testing.synth(ns);
    expect(ofKind(out, 'Service').map((s) => s.metadata.name)).toEqual(['details', 'ratings', 'reviews', 'productpage']);
    expect(ofKind(out, 'ServiceAccount')).toHaveLength(4);
    expect(ofKind(out, 'Deployment').map((d) => d.metadata.name)).toEqual(['details-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'productpage-v1']);
    for (const m of out.filter((o) => o.kind !== 'Namespace')) expect(m.metadata.namespace).toBe('shop');
    const reviews = find(out, 'Deployment', 'reviews-v2');
    expect(reviews.spec.template.spec.volumes).toEqual([{ name: 'wlp-output', emptyDir: {} }, { name: 'tmp', emptyDir: {} }]);
    expect(reviews.spec.template.spec.containers[0].image).toBe('registry.istio.io/release/examples-bookinfo-reviews-v2:1.20.3');
    expect(find(out, 'Deployment', 'productpage-v1').spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true');
    expect(find(out, 'Service', 'reviews').spec).toEqual({ ports: [{ port: 9080, name: 'http' }], selector: { app: 'reviews' } });
  });

  test('Curl and Sleep differ only by name', () => {
    const chart = new AmbientNamespace(Testing.app(), 'clients');
    new Curl(chart, 'Curl');
    new Sleep(chart, 'Sleep');
    const out = Testing.synth(chart);
    const curl = find(out, 'Deployment', 'curl');
    expect(curl.spec.template.spec.containers[0]).toEqual({
      name: 'curl', image: 'docker.io/curlimages/curl:8.16.0', command: ['/bin/sleep', 'infinity'], imagePullPolicy: 'IfNotPresent',
      volumeMounts: [{ mountPath: '/etc/curl/tls', name: 'secret-volume' }],
    });
    expect(find(out, 'Deployment', 'sleep').spec.template.spec.volumes[0].secret).toEqual({ secretName: 'sleep-secret', optional: true });
  });

  test('BookinfoGateway renders the istio-class Gateway and its HTTPRoute', () => {
    const chart = new AmbientNamespace(Testing.app(), 'edge');
    const bg = new BookinfoGateway(chart, 'Ingress');
    // the route's backend must exist (GW010): the gateway sample routes to Bookinfo's productpage
    new Bookinfo(chart, 'Bookinfo');
    const out = Testing.synth(chart);
    expect(find(out, 'Gateway', 'bookinfo-gateway').spec).toEqual({
      gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }],
    });
    const route = find(out, 'HTTPRoute', 'bookinfo');
    expect(route.spec.parentRefs).toEqual([{ name: 'bookinfo-gateway' }]);
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: 'productpage', port: 9080 }]);
    expect(route.spec.rules[0].matches[1]).toEqual({ path: { type: 'PathPrefix', value: '/static' } });
    expect(bg.gateway.serviceHost).toBe('bookinfo-gateway-istio.edge.svc.cluster.local');
  });
});

// A second example app: an HTTPS storefront in two namespaces. `edge` holds the ingress gateway (HTTP redirected
// to HTTPS, TLS terminated with a certificate kept out of Git) and a curl client; `shop` (ambient, with its
// waypoint) holds the frontends and the catalog API its routes lead to: header routing to a beta frontend, a
// redirect, a rewrite of /api/catalog, and a basic-auth plugin on the catalog's writes that ingress traffic
// passes too (istio.io/ingress-use-waypoint).
//
// Synthesize: `npx ts-node -T examples/storefront/main.ts` (into examples/storefront/dist, or $CDK8S_OUTDIR).
// In your own app, import from 'cdk8s-istio-ambient' instead of '../../src'.
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import {
  AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, CertificateRef, Curl, GitOpsApp, HttpBackend, HttpHeaderMatch, HttpPathModifier,
  HttpRoute, HttpRouteFilter, HttpRouteMatch, IngressGateway, IngressUseWaypoint, ListenerProtocol, ListenerTls, PathMatch, PolicyTarget,
  HttpMethod, IService, RedirectScheme, RouteNamespaces, RouteParent, ServiceReference,
} from '../../src';

const app = new GitOpsApp({ outdir: process.env.CDK8S_OUTDIR ?? path.join(__dirname, 'dist') });

// edge: the gateway, its certificate (argocd-vault-plugin fills the placeholders at sync), a client to test from
const edge = new AmbientNamespace(app, 'edge');
new Curl(edge, 'Curl');
const certificate = new ApiObject(edge, 'Certificate', {
  apiVersion: 'v1', kind: 'Secret', metadata: { name: 'storefront-tls' }, type: 'kubernetes.io/tls',
  stringData: { 'tls.crt': '<path:secret/data/storefront/tls#tls.crt>', 'tls.key': '<path:secret/data/storefront/tls#tls.key>' },
});
const gateway = new IngressGateway(edge, 'Gateway', {
  name: 'storefront',
  listeners: [
    { name: 'http', port: 80, protocol: ListenerProtocol.HTTP, hostname: 'shop.example.com' },
    {
      name: 'https', port: 443, protocol: ListenerProtocol.HTTPS, hostname: 'shop.example.com',
      tls: ListenerTls.terminate([CertificateRef.fromSecret(certificate)]),
      // routes come from the namespaces that carry this label
      allowedRoutes: RouteNamespaces.SELECTOR, namespaceSelector: { matchLabels: { 'shop.example.com/ingress': 'allowed' } },
    },
  ],
});
gateway.addHttpRoute('ToHttps', {
  name: 'to-https', sectionName: 'http',
  rules: [{ filters: [HttpRouteFilter.requestRedirect({ scheme: RedirectScheme.HTTPS, statusCode: 301 })] }],
});

// shop: the applications, enrolled with a waypoint
const shop = new AmbientNamespace(app, 'shop', { labels: { 'shop.example.com/ingress': 'allowed' } });
shop.addWaypoint();
function service(name: string, port: number): IService {
  new ApiObject(shop, `${name}-deployment`, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas: 1, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `registry.example.com/storefront/${name}:1.0.0`, ports: [{ containerPort: 8080 }] }] } },
    },
  });
  return ServiceReference.fromApiObject(new ApiObject(shop, `${name}-service`, {
    apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { app: name } },
    spec: { selector: { app: name }, ports: [{ name: 'http', port, targetPort: 8080 }] },
  }));
}
const web = service('web', 80);
const webBeta = service('web-beta', 80);
const catalog = service('catalog', 8080);

// writes to the catalog need a credential; ingress traffic takes the waypoint too, so the plugin sees it
IngressUseWaypoint.onService(catalog);
new BasicAuthPlugin(shop, 'CatalogWrites', {
  name: 'catalog-writes',
  targets: [PolicyTarget.fromService(catalog)],
  rules: [new BasicAuthRule({ match: PathMatch.prefix('/items'), methods: [HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE], credentials: [BasicAuthCredential.vault('secret/data/storefront/catalog', 'admin')] })],
});

new HttpRoute(shop, 'Storefront', {
  name: 'storefront',
  parents: [RouteParent.fromGateway(gateway, { sectionName: 'https' })],
  hostnames: ['shop.example.com'],
  rules: [
    // header routing: testers send x-beta: 1 to the beta frontend
    { matches: [HttpRouteMatch.pathPrefix('/', { headers: [HttpHeaderMatch.exact('x-beta', '1')] })], backends: [HttpBackend.fromService(webBeta, { port: 80 })] },
    // the catalog API under /api/catalog, served at the root of the catalog Service
    {
      matches: [HttpRouteMatch.pathPrefix('/api/catalog')],
      filters: [HttpRouteFilter.urlRewrite({ path: HttpPathModifier.replacePrefixMatch('/') })],
      backends: [HttpBackend.fromService(catalog, { port: 8080 })],
    },
    // an old address, redirected
    { matches: [HttpRouteMatch.exact('/sale')], filters: [HttpRouteFilter.requestRedirect({ path: HttpPathModifier.replaceFullPath('/deals') })] },
    { backends: [HttpBackend.fromService(web, { port: 80 })] },
  ],
});

app.synth();

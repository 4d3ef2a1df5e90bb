#!/usr/bin/env bash
# Installs what `npm pack` produces into a fresh cdk8s app and synthesizes there: exports, types, peer
# dependencies and the CLI bin must work outside this repository.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
export CDK8S_CHECK_UPGRADE=false

# a fresh app exactly as `cdk8s init typescript-app` makes it: its npm install brings the latest cdk8s, cdk8s-plus-33
# and constructs. Its last steps need github.com (`cdk8s import k8s`); where that is unreachable, init stops there
# with everything installed, which is all this test needs.
mkdir "$work/app" && cd "$work/app"
if ! "$root/node_modules/.bin/cdk8s" init typescript-app >"$work/init.log" 2>&1; then
  grep -q 'Importing k8s' "$work/init.log" && [ -d node_modules/cdk8s-plus-33 ] \
    || { cat "$work/init.log"; echo "pack-test: cdk8s init typescript-app failed before its import step"; exit 1; }
  echo "pack-test: cdk8s init stopped at 'cdk8s import k8s' (no network to github.com); its npm install is complete"
fi
rm -rf main.test.ts __snapshots__   # the template's test of its own main.ts, replaced below
npm install --no-audit --no-fund --loglevel=error "../$tarball" >/dev/null

# only one cdk8s-plus: ours is an optional peer, so installing the library adds none beside the app's
plus=$(find node_modules -type d -name 'cdk8s-plus-*' -prune | sort)
[ "$plus" = "node_modules/cdk8s-plus-33" ] || { echo "pack-test: expected only node_modules/cdk8s-plus-33, found:"; echo "$plus"; exit 1; }

cat > main.ts <<'TS'
import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import {
  AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, Bookinfo, CertificateRef, FilterConfig, HttpBackend, HttpMethod, HttpRouteMatch,
  IngressGateway, ListenerProtocol, ListenerTls, PathMatch, PluginPhase, PolicyTarget, SeedScenario, TrafficExtension,
} from 'cdk8s-istio-ambient';
import { RULES } from 'cdk8s-istio-ambient/rules';
import { MeshModel } from 'cdk8s-istio-ambient/model';

const app = new App();
const ns = new AmbientNamespace(app, 'shop');
const bookinfo = new Bookinfo(ns, 'Bookinfo');
const waypoint = ns.addWaypoint();
// a Lua TrafficExtension: the simulator runs it with the Lua VM the package depends on
new TrafficExtension(ns, 'DenyAdmin', {
  name: 'deny-admin', targets: [waypoint], phase: PluginPhase.AUTHN,
  filterConfig: FilterConfig.lua('function envoy_on_request(h)\n  if h:headers():get(":path") == "/admin" then h:respond({[":status"] = "403"}, "closed") end\nend\n'),
});
const cart = new kplus.Service(ns, 'Cart', { metadata: { name: 'cart' }, ports: [{ port: 80 }] });
waypoint.bindService(cart);
// the ingress constructs take this app's cdk8s-plus objects: an HTTPS listener with a kplus.TlsSecret, typed backends
const tls = new kplus.TlsSecret(ns, 'Tls', { metadata: { name: 'shop-tls' }, tlsCert: '<path:secret/data/shop#tls.crt>', tlsKey: '<path:secret/data/shop#tls.key>' });
const gw = new IngressGateway(ns, 'Storefront', { name: 'storefront', listeners: [{ name: 'https', port: 443, protocol: ListenerProtocol.HTTPS, hostname: 'shop.example.com', tls: ListenerTls.terminate([CertificateRef.fromSecret(tls)]) }] });
gw.addHttpRoute('Shop', { name: 'shop', rules: [{ backends: [HttpBackend.fromService(bookinfo.productpage, { port: 9080 })] }, { matches: [HttpRouteMatch.pathPrefix('/cart')], backends: [HttpBackend.fromService(cart, { port: 80, weight: 0 })] }] });
new BasicAuthPlugin(ns, 'CartAuth', {
  name: 'cart-auth', targets: [PolicyTarget.fromService(cart)],
  rules: [new BasicAuthRule({ match: PathMatch.prefix('/cart'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('ok', 'test')] })],
});
new SeedScenario(app, 'default');
app.synth();
if (RULES.length === 0 || typeof MeshModel.build !== 'function') throw new Error('subpath exports missing');
if (AmbientNamespace.enclosing(cart) !== ns || AmbientNamespace.of(cart) !== ns) throw new Error('AmbientNamespace.enclosing/of');
TS
# the types guide with the app's own cdk8s-plus-33: a Deployment is no Service (tsc fails if this compiles)
cat > types-check.ts <<'TS'
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { PolicyTarget } from 'cdk8s-istio-ambient';
const chart = new Chart(new App(), 'types');
// @ts-expect-error a kplus.Deployment is not a Service
PolicyTarget.fromService(new kplus.Deployment(chart, 'Web', { containers: [{ image: 'nginx' }] }));
TS
npx tsc --noEmit -p .
# the jsii assembly ships with the package, and the runtime dependencies come bundled
[ -f node_modules/cdk8s-istio-ambient/.jsii ] || { echo "pack-test: .jsii is missing from the package"; exit 1; }
[ -f node_modules/cdk8s-istio-ambient/node_modules/yaml/package.json ] || { echo "pack-test: yaml is not bundled"; exit 1; }
# cdk8s synth as the app's own cdk8s.yaml runs it (npx ts-node main.ts)
npx cdk8s synth -o out >synth.log 2>&1 || { cat synth.log; echo "pack-test: cdk8s synth failed in the fresh app"; exit 1; }
grep -rq "name: cart-auth" out || { echo "pack-test: the plugin was not synthesized"; exit 1; }
grep -rq "kind: TrafficExtension" out || { echo "pack-test: the TrafficExtension was not synthesized"; exit 1; }
# the kplus.Service is bound to the waypoint by its own label (bindService), whatever the namespace's
node -e "const { Yaml } = require('cdk8s'); const cart = Yaml.load('out/shop.k8s.yaml').find((o) => o.kind === 'Service' && o.metadata.name === 'cart'); if (cart.metadata.labels?.['istio.io/use-waypoint'] !== 'waypoint') { console.error('pack-test: the kplus.Service was not bound'); process.exit(1); }"
# the README's recipe for a fast synth in your own app: the same manifests, transpiled by sucrase
npm install --save-dev --no-audit --no-fund --loglevel=error sucrase >/dev/null
npm pkg set scripts.synth="node -r sucrase/register/ts main.ts" scripts.typecheck="tsc --noEmit"
CDK8S_OUTDIR=out-fast npm run --silent synth 2>/dev/null
diff -r out out-fast || { echo "pack-test: the sucrase synth wrote other manifests than cdk8s synth"; exit 1; }
npm run --silent typecheck
# and with a GitOpsApp, whose writer runs on a worker thread: the library comes compiled, sucrase leaves it alone
cat > gitops.ts <<'TS'
import { GitOpsApp, SeedScenario } from 'cdk8s-istio-ambient';
const app = new GitOpsApp({ argoCd: { repoUrl: 'https://git.example.com/mesh.git' } });
new SeedScenario(app, 'default');
app.synth();
TS
CDK8S_OUTDIR=out-gitops CDK8S_ISTIO_AMBIENT_QUIET=1 node -r sucrase/register/ts gitops.ts
[ -f out-gitops/default/kustomization.yaml ] && [ -f out-gitops/argocd/kustomization.yaml ] || { echo "pack-test: the GitOpsApp wrote no tree under sucrase"; exit 1; }
npx cdk8s-istio-ambient --help >/dev/null

# the analyze bin on what the app wrote (clean), and on a broken manifest (exit 1, the finding line)
npx cdk8s-istio-ambient analyze out
cat > broken.yaml <<'YAML'
apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: cart-auth, namespace: shop}
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: edge}]
  pluginConfig: {basic_auth_rules: [{prefix: /cart, request_methods: [GET], credentials: ["ok:test"]}]}
YAML
set +e; npx cdk8s-istio-ambient analyze out broken.yaml >analyze.log; code=$?; set -e
cat analyze.log
[ "$code" -eq 1 ] || { echo "pack-test: analyze exited $code on a broken manifest, expected 1"; exit 1; }
grep -q '^error WASM005 WasmPlugin shop/cart-auth (broken.yaml:1)' analyze.log || { echo "pack-test: analyze did not report WASM005"; exit 1; }

# the ./analyze and ./validation-plugin exports, typed, from the installed package
cat > exports.ts <<'TS'
import { analyzePaths, exitCodeOf } from 'cdk8s-istio-ambient/analyze';
import { IstioAmbientValidation } from 'cdk8s-istio-ambient/validation-plugin';
const result = analyzePaths(['out']);
if (exitCodeOf(result) !== 0 || result.summary.objects === 0) throw new Error('analyzePaths: the app output should be clean');
if (typeof new IstioAmbientValidation().validate !== 'function') throw new Error('validation plugin class missing');
TS
npx tsc --noEmit -p .
npx ts-node exports.ts

# the validation plugin inside a real `cdk8s synth`
bash "$root/scripts/validation-plugin-e2e.sh" "$work/app" "$root/node_modules/.bin/cdk8s"

# the simulator: the ./simulate export imports and type-checks, and the bin answers a seed check (last line = status)
cat > check.ts <<'TS'
import { SimulationResult, loadSimulator } from 'cdk8s-istio-ambient/simulate';
const r: SimulationResult = loadSimulator(['out']).simulate({ from: 'default/curl', url: 'http://productpage:9080/productpage' });
if (r.status !== 401) throw new Error(`simulate export: expected 401, got ${r.status}: ${r.reason}`);
TS
npx tsc --noEmit -p .
npx ts-node check.ts
status=$(npx cdk8s-istio-ambient simulate --manifests out --from default/curl -H 'Authorization: Basic YWRtaW4zOmFkbWluMw==' \
  http://bookinfo-gateway-istio.default.svc.cluster.local/productpage | tail -n 1)
[ "$status" = "200" ] || { echo "pack-test: simulate printed $status, expected 200"; exit 1; }
lua=$(npx cdk8s-istio-ambient simulate --manifests out --from shop/ratings-v1 http://productpage:9080/admin | tail -n 1)
[ "$lua" = "403" ] || { echo "pack-test: the Lua TrafficExtension should answer 403, simulate printed $lua"; exit 1; }
# https:// to the HTTPS listener, TLS ended with the kplus.TlsSecret
status=$(npx cdk8s-istio-ambient simulate --manifests out --from default/curl --connect-to shop.example.com:443:storefront-istio.shop:443 https://shop.example.com/productpage | tail -n 1)
[ "$status" = "200" ] || { echo "pack-test: simulate https printed $status, expected 200"; exit 1; }
cp "$root/examples/seed-checks.yaml" .
npx cdk8s-istio-ambient simulate --manifests out --requests seed-checks.yaml >/dev/null

# the review tools: SARIF names the installed version, JUnit parses as XML, graph and diff run, the subpaths import
version=$(node -p "require('cdk8s-istio-ambient/package.json').version")
npx cdk8s-istio-ambient analyze out --format sarif | node -e "const l=JSON.parse(require('fs').readFileSync(0,'utf8')); if (l.runs[0].tool.driver.version !== '$version') { console.error('pack-test: SARIF driver version ' + l.runs[0].tool.driver.version); process.exit(1); }"
npx cdk8s-istio-ambient simulate --manifests out --requests seed-checks.yaml --format junit | grep -q '<testsuites name="cdk8s-istio-ambient simulate" tests="7" failures="0"'
npx cdk8s-istio-ambient graph out --format dot | grep -q '^digraph mesh {'
npx cdk8s-istio-ambient diff out out | grep -q ' changed: 0 opened, 0 closed'
node -e "for (const m of ['diff', 'graph', 'report']) if (Object.keys(require('cdk8s-istio-ambient/' + m)).length === 0) { console.error('pack-test: ./' + m + ' exports nothing'); process.exit(1); }"
echo "pack-test: $tarball installs into a fresh cdk8s init typescript-app (one cdk8s-plus: cdk8s-plus-33) and synthesizes (a kplus.Service and a TrafficExtension included); analyze (text, SARIF), the validation plugin, simulate (JUnit, Lua run), diff and graph work from it"

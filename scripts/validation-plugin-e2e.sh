#!/usr/bin/env bash
# The validation plugin, end to end: a real `cdk8s synth` of a plain cdk8s app (no constructs of ours) whose
# cdk8s.yaml lists the installed package under `validations:`. A broken app must fail with our findings in
# cdk8s's report; the fixed app must pass, its warning still reported.
# Usage: validation-plugin-e2e.sh <app-dir with cdk8s-istio-ambient and cdk8s installed> <cdk8s CLI binary>
set -euo pipefail
app=$1
cdk8s_cli=$2
cd "$app"
version=$(node -p "require('cdk8s-istio-ambient/package.json').version")

cat > cdk8s.yaml <<YAML
language: typescript
app: node validate-app.js
output: validate-out
validations:
  - package: ./node_modules/cdk8s-istio-ambient/lib/src/validation-plugin
    version: "$version"
    class: IstioAmbientValidation
YAML
cat > validate-app.js <<'JS'
// plain cdk8s: an auth plugin on a Service; FIXED=1 gives the namespace a waypoint
const { App, Chart, ApiObject } = require('cdk8s');
const app = new App();
const chart = new Chart(app, 'shop', { namespace: 'shop' });
const labels = { 'istio.io/dataplane-mode': 'ambient', ...(process.env.FIXED ? { 'istio.io/use-waypoint': 'waypoint' } : {}) };
new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', namespace: undefined, labels } });
new ApiObject(chart, 'cart', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart' }, spec: { ports: [{ port: 80, name: 'http' }] } });
if (process.env.FIXED) {
  new ApiObject(chart, 'waypoint', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'waypoint' },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } });
}
new ApiObject(chart, 'cart-auth', { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'cart-auth' },
  spec: { url: 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0', phase: 'AUTHN', failStrategy: 'FAIL_OPEN',
    targetRefs: [{ group: '', kind: 'Service', name: 'cart' }],
    pluginConfig: { basic_auth_rules: [{ prefix: '/cart', request_methods: ['GET'], credentials: ['ok:test'] }] } } });
app.synth();
JS

set +e
"$cdk8s_cli" synth --no-check-upgrade >broken.log 2>&1
broken=$?
FIXED=1 "$cdk8s_cli" synth --no-check-upgrade >fixed.log 2>&1
fixed=$?
set -e
echo "--- cdk8s synth of the broken app (exit $broken):"; cat broken.log
echo "--- cdk8s synth of the fixed app (exit $fixed):"; cat fixed.log
fail() { echo "validation-plugin-e2e: $1"; exit 1; }
[ "$broken" -ne 0 ] || fail "synth of the broken app succeeded"
grep -q 'WASM009 (error)' broken.log || fail "the report lacks WASM009"
grep -q 'WasmPlugin shop/cart-auth (validate-out/shop.k8s.yaml:[0-9]*): spec.targetRefs\[0\].name: Service shop/cart has no istio.io/use-waypoint label' broken.log \
  || fail "the report lacks the finding text"
grep -q 'Construct Path: shop/cart-auth' broken.log || fail "the report lacks the construct path"
grep -q 'Validation failed' broken.log || fail "cdk8s did not fail the validation"
[ "$fixed" -eq 0 ] || fail "synth of the fixed app failed"
grep -q 'WASM021 (warning)' fixed.log || fail "the warning is missing from the fixed app's report"
grep -q 'Validations ended succesfully' fixed.log || fail "cdk8s did not pass the fixed app"
echo "validation-plugin-e2e: cdk8s synth fails on our errors, passes on warnings, findings in its report"

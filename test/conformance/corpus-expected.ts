// What `analyze` reports on Istio 1.30.3's own YAML (../shared/reference/istio-1.30.3/corpus), finding by finding,
// and what of Istio's expected output each one mirrors. corpus.test.ts checks the corpus gives exactly these rows;
// docs/fidelity.md states the figures they add up to (npm run docs:fidelity).
//
// How the corpus is read, as Istio's own tests read it:
// - pilot/pkg/config/kube/gateway/testdata: each file alone with the harness of TestConvertResources
//   (fixtures/gateway-harness.yaml and the Namespaces of harness.ts), the way its golden files were written;
// - pkg/config/analysis/analyzers/testdata: each file alone, as each analyzers_test.go case reads its inputFiles
//   (the cases that add testdata/common/* add mesh and injector config, which no rule here reads);
// - samples/, tests/integration/ambient/testdata and pkg/config/validation/testdata/crds: each tree as one set.
//
// "golden" below is istio@1.30.3:pilot/pkg/config/kube/gateway/testdata/<file>.status.yaml.golden (the conditions
// istiod writes) or <file>.yaml.golden (the config it programs).

/** One object's findings of one code in one file. */
export interface CorpusRow {
  /** Relative to the corpus root. */
  readonly file: string;
  readonly code: string;
  /** `Kind namespace/name`. */
  readonly object: string;
  /** How many findings of that code the object gets. */
  readonly count: number;
  /** The Istio condition, reason or expected output it mirrors, or why there is none. */
  readonly istio: string;
}

const GW = 'pilot/pkg/config/kube/gateway/testdata/';
const AN = 'pkg/config/analysis/analyzers/testdata/';

// reasons shared by several rows
const ALPHA = 'no condition in the golden only because the harness sets PILOT_ENABLE_ALPHA_GATEWAY_API=true (conversion_test.go init); with istiod\'s default (false) listenerProtocolToIstio refuses TCP: listener Accepted False UnsupportedProtocol';
const OPAQUE = 'no condition: the harness\'s Secrets set no type, and istiod reads their keys anyway (the golden\'s listener ResolvedRefs is True, or False for another reason); GW004 says only that the Gateway API\'s core support is a kubernetes.io/tls Secret';
const INFERENCE = 'ResolvedRefs False InvalidKind with istiod\'s default ENABLE_GATEWAY_API_INFERENCE_EXTENSION=false (buildDestination: "InferencePool is not enabled"); the harness turns it on (TestConvertResources), so the golden routes to the pool\'s shadow Service';
const PORT = (ports: string) => `no condition: istiod checks that the Service exists, not its port (ResolvedRefs True); the golden routes to ${ports}, which the harness's Services (ports 80, 34000, 34001) lack, so there is no cluster and Envoy answers 500 for a Gateway API route (route.go applyHTTPRouteDestination ClusterNotFoundResponseCode)`;
const SHADOW = (vs: string) => `no condition: in the golden VirtualService ${vs}, both are catch-all and Envoy runs only the first`;

export const CORPUS_ROWS: readonly CorpusRow[] = [
  { file: `${GW}backend-tls-policy.yaml`, code: 'GW012', object: 'HTTPRoute istio-system/http', count: 1, istio: 'ResolvedRefs False RefNotPermitted: backendRef echo-https/default not accessible to a HTTPRoute in namespace "istio-system"' },
  { file: `${GW}benchmark-httproute.yaml`, code: 'GW022', object: 'HTTPRoute default/http', count: 1, istio: 'Accepted False NotAllowedByListeners: the file has no golden of its own; it is route-precedence.yaml with a Mesh parent (its first line says so), whose golden refuses default/http so' },
  { file: `${GW}http-grpc-same-host.yaml`, code: 'GW010', object: 'GRPCRoute default/grpc', count: 1, istio: 'ResolvedRefs False BackendNotFound: backend(grpcbin.default.svc.domain.suffix) not found' },
  { file: `${GW}http.yaml`, code: 'GW013', object: 'HTTPRoute default/multi-route-infpool-1', count: 1, istio: INFERENCE },
  { file: `${GW}http.yaml`, code: 'GW013', object: 'HTTPRoute default/multi-route-infpool-2', count: 1, istio: INFERENCE },
  { file: `${GW}http.yaml`, code: 'GW013', object: 'HTTPRoute default/multiple-inferencepool-backend-refs', count: 2, istio: INFERENCE },
  { file: `${GW}http.yaml`, code: 'GW021', object: 'HTTPRoute default/http-not-selected', count: 1, istio: 'Accepted False NoMatchingListenerHostname: no hostnames matched parent hostname "*.domain.example"' },
  { file: `${GW}http.yaml`, code: 'GW030', object: 'HTTPRoute default/redirect', count: 1, istio: SHADOW('~default~* (default.mirror.0, then default.redirect.0)') },
  { file: `${GW}invalid.yaml`, code: 'GW002', object: 'Gateway istio-system/invalid-cert-notfound', count: 1, istio: 'listener ResolvedRefs False InvalidCertificateRef: secret istio-system/nonexistent not found (a warning: a Secret may be made outside the manifests)' },
  { file: `${GW}invalid.yaml`, code: 'GW003', object: 'Gateway istio-system/invalid-cert-kind', count: 1, istio: 'listener ResolvedRefs False InvalidCertificateRef: only secret is allowed' },
  { file: `${GW}invalid.yaml`, code: 'GW004', object: 'Gateway istio-system/invalid-cert-malformed', count: 1, istio: `${OPAQUE} (here InvalidCertificateRef for its malformed PEM, which analyze does not read)` },
  { file: `${GW}invalid.yaml`, code: 'GW004', object: 'Gateway istio-system/invalid-frontendvalidation-malformed', count: 1, istio: OPAQUE },
  { file: `${GW}invalid.yaml`, code: 'GW004', object: 'Gateway istio-system/invalid-frontendvalidation-missing-refgrant', count: 1, istio: OPAQUE },
  { file: `${GW}invalid.yaml`, code: 'GW004', object: 'Gateway istio-system/invalid-frontendvalidation-nonexistent', count: 1, istio: OPAQUE },
  { file: `${GW}invalid.yaml`, code: 'GW004', object: 'Gateway istio-system/invalid-frontendvalidation-unknown', count: 1, istio: OPAQUE },
  { file: `${GW}invalid.yaml`, code: 'GW007', object: 'Gateway istio-system/protocol-lower-case', count: 1, istio: 'listener Accepted False UnsupportedProtocol: protocol "http" is unsupported. hint: "HTTP" (uppercase) may be supported' },
  { file: `${GW}invalid.yaml`, code: 'GW007', object: 'Gateway istio-system/udp-protocol', count: 1, istio: 'listener Accepted False UnsupportedProtocol: protocol "UDP" is unsupported' },
  { file: `${GW}invalid.yaml`, code: 'GW007', object: 'Gateway istio-system/unknown-protocol', count: 1, istio: 'listener Accepted False UnsupportedProtocol: protocol "unknown" is unsupported' },
  { file: `${GW}invalid.yaml`, code: 'GW010', object: 'HTTPRoute default/invalid-backendRef-mixed', count: 1, istio: 'ResolvedRefs False: istiod reports one reason per parent (InvalidKind, of the GcsBucket backend); its backend "nonexistent" is BackendNotFound, as on invalid-backendRef-notfound' },
  { file: `${GW}invalid.yaml`, code: 'GW010', object: 'HTTPRoute default/invalid-backendRef-notfound', count: 1, istio: 'ResolvedRefs False BackendNotFound: backend(nonexistent.default.svc.domain.suffix) not found' },
  { file: `${GW}invalid.yaml`, code: 'GW013', object: 'HTTPRoute default/invalid-backendRef-kind', count: 1, istio: 'ResolvedRefs False InvalidKind: referencing unsupported backendRef: group "" kind "GcsBucket"' },
  { file: `${GW}invalid.yaml`, code: 'GW013', object: 'HTTPRoute default/invalid-backendRef-mixed', count: 1, istio: 'ResolvedRefs False InvalidKind: referencing unsupported backendRef: group "" kind "GcsBucket"' },
  { file: `${GW}invalid.yaml`, code: 'GW013', object: 'HTTPRoute default/invalid-mirror', count: 1, istio: 'ResolvedRefs False InvalidKind: referencing unsupported backendRef: group "" kind "no-support"' },
  { file: `${GW}invalid.yaml`, code: 'GW020', object: 'HTTPRoute default/invalid-parentRef-port', count: 1, istio: 'Accepted False NoMatchingParent: port 1234 not found' },
  { file: `${GW}invalid.yaml`, code: 'GW020', object: 'HTTPRoute default/invalid-sectionname-port', count: 1, istio: 'Accepted False NoMatchingParent: sectionName "fake" not found' },
  ...['abc-foo-example-com', 'empty-hostname', 'wildcard-example-com', 'wildcard-foo-example-com'].map((h): CorpusRow => ({
    file: `${GW}isolation.yaml`, code: 'GW010', object: `HTTPRoute gateway-conformance-infra/attaches-to-${h}-with-hostname-intersection`, count: 1,
    istio: 'ResolvedRefs False BackendNotFound: backend(infra-backend-v1.gateway-conformance-infra.svc.domain.suffix) not found',
  })),
  { file: `${GW}mcs.yaml`, code: 'GW006', object: 'Gateway istio-system/gateway', count: 1, istio: ALPHA },
  { file: `${GW}multi-gateway.yaml`, code: 'GW006', object: 'Gateway istio-system/gateway', count: 1, istio: ALPHA },
  { file: `${GW}redirect-only.yaml`, code: 'GW004', object: 'Gateway istio-system/default', count: 1, istio: OPAQUE },
  { file: `${GW}reference-grant-multiple-to.yaml`, code: 'GW004', object: 'Gateway bookinfo-ingress/gateway', count: 1, istio: OPAQUE },
  { file: `${GW}reference-policy-inferencepool.yaml`, code: 'GW012', object: 'HTTPRoute istio-system/backend-not-allowed-ip', count: 1, istio: 'ResolvedRefs False RefNotPermitted: backendRef httpbin/default not accessible to a HTTPRoute in namespace "istio-system"' },
  { file: `${GW}reference-policy-inferencepool.yaml`, code: 'GW013', object: 'HTTPRoute istio-system/backend-allowed-ip', count: 1, istio: `ResolvedRefs False: BackendNotFound in the harness (no shadow Service my-ip-ip-03f70481), and with istiod's defaults ${INFERENCE}` },
  { file: `${GW}reference-policy-inferencepool.yaml`, code: 'GW013', object: 'HTTPRoute istio-system/backend-not-allowed-ip', count: 1, istio: INFERENCE },
  { file: `${GW}reference-policy-service.yaml`, code: 'GW012', object: 'HTTPRoute istio-system/backend-not-allowed', count: 1, istio: 'ResolvedRefs False RefNotPermitted: backendRef httpbin/default not accessible to a HTTPRoute in namespace "istio-system"' },
  { file: `${GW}reference-policy-tcp.yaml`, code: 'GW006', object: 'Gateway istio-system/gateway', count: 2, istio: ALPHA },
  { file: `${GW}reference-policy-tls.yaml`, code: 'GW004', object: 'Gateway istio-system/gateway', count: 1, istio: OPAQUE },
  { file: `${GW}route-binding.yaml`, code: 'GW011', object: 'HTTPRoute default/bind-all', count: 1, istio: PORT('httpbin port 85') },
  { file: `${GW}route-binding.yaml`, code: 'GW011', object: 'HTTPRoute default/host-mismatch', count: 1, istio: `${PORT('no VirtualService for it (it attaches nowhere); it names httpbin port 84')}` },
  { file: `${GW}route-binding.yaml`, code: 'GW011', object: 'HTTPRoute default/invalid-bind-cross-namespace', count: 1, istio: PORT('no VirtualService for it (it attaches nowhere); it names httpbin port 87') },
  { file: `${GW}route-binding.yaml`, code: 'GW011', object: 'HTTPRoute group-namespace1/bind-cross-namespace', count: 1, istio: PORT('httpbin.group-namespace1 port 86') },
  { file: `${GW}route-binding.yaml`, code: 'GW011', object: 'HTTPRoute group-namespace2/bind-cross-namespace', count: 1, istio: PORT('httpbin.group-namespace2 port 87') },
  { file: `${GW}route-binding.yaml`, code: 'GW011', object: 'HTTPRoute istio-system/same-namespace-valid', count: 1, istio: PORT('httpbin.istio-system port 81') },
  { file: `${GW}route-binding.yaml`, code: 'GW021', object: 'HTTPRoute default/host-mismatch', count: 1, istio: 'Accepted False NoMatchingListenerHostname: no hostnames matched parent hostname "*.foobar.example"' },
  { file: `${GW}route-binding.yaml`, code: 'GW021', object: 'HTTPRoute default/same-namespace-invalid', count: 1, istio: 'Accepted False NoMatchingListenerHostname: no hostnames matched parent hostname "*.same-namespace.example"' },
  { file: `${GW}route-binding.yaml`, code: 'GW022', object: 'HTTPRoute default/invalid-bind-cross-namespace', count: 1, istio: 'Accepted False NotAllowedByListeners: namespace "default" is not allowed by the parent (slctr-labels)' },
  { file: `${GW}route-binding.yaml`, code: 'GW022', object: 'HTTPRoute group-namespace1/bind-cross-namespace', count: 5, istio: 'Accepted False NotAllowedByListeners on its five parentRefs to slctr-expr-in-no, slctr-expr-notin-no, slctr-expr-exists-no, slctr-expr-dne-no and slctr-combined-no' },
  { file: `${GW}route-binding.yaml`, code: 'GW030', object: 'HTTPRoute group-namespace1/bind-cross-namespace', count: 1, istio: SHADOW('~slctr-expr-notin-yes~* (default.bind-all.0, then group-namespace1.bind-cross-namespace.0)') },
  { file: `${GW}route-binding.yaml`, code: 'GW030', object: 'HTTPRoute group-namespace2/bind-cross-namespace', count: 1, istio: SHADOW('~slctr-labels~* (group-namespace1.bind-cross-namespace.0, then group-namespace2.bind-cross-namespace.0)') },
  { file: `${GW}route-binding.yaml`, code: 'GW030', object: 'HTTPRoute istio-system/same-namespace-valid', count: 1, istio: SHADOW('~foobar~* (default.bind-all.0, then istio-system.same-namespace-valid.0)') },
  { file: `${GW}route-precedence.yaml`, code: 'GW022', object: 'HTTPRoute default/http', count: 1, istio: 'Accepted False NotAllowedByListeners: hostnames matched parent hostname "*.domain.example", but namespace "default" is not allowed by the parent' },
  ...['existing-istio-last', 'stale-istio-reference', 'stale-other-reference'].map((n): CorpusRow => ({
    file: `${GW}status.yaml`, code: 'GW030', object: `HTTPRoute istio-system/${n}`, count: 1,
    istio: SHADOW('~a~* and ~b~* (existing-istio-first.0, existing-istio-last.0, stale-istio-reference.0, stale-other-reference.0)'),
  })),
  { file: `${GW}tcp.yaml`, code: 'GW006', object: 'Gateway istio-system/gateway', count: 1, istio: ALPHA },
  { file: `${GW}tcp.yaml`, code: 'GW006', object: 'Gateway istio-system/gateway2', count: 1, istio: ALPHA },
  { file: `${GW}tls-terminate.yaml`, code: 'GW004', object: 'Gateway istio-system/gateway', count: 2, istio: OPAQUE },
  { file: `${GW}tls.yaml`, code: 'GW004', object: 'Gateway istio-system/gateway', count: 7, istio: OPAQUE },
  { file: `${GW}valid-invalid-parent-ref.yaml`, code: 'GW020', object: 'HTTPRoute default/mixed-parent-ref-validity', count: 1, istio: 'Accepted False NoMatchingParent: port 1234 not found' },
  { file: `${GW}weighted.yaml`, code: 'GW006', object: 'Gateway istio-system/gateway', count: 1, istio: ALPHA },
  { file: `${GW}weighted.yaml`, code: 'GW011', object: 'HTTPRoute default/http', count: 2, istio: PORT('httpbin-other port 8080 and foo-svc port 8000') },
  { file: `${GW}zero.yaml`, code: 'GW006', object: 'Gateway istio-system/gateway', count: 1, istio: ALPHA },
  { file: `${GW}zero.yaml`, code: 'GW011', object: 'HTTPRoute default/http', count: 1, istio: PORT('foo-svc port 8000') },
  ...['GRPCRoute default/negative-condition-grpcroute', 'HTTPRoute default/negative-condition-httproute'].map((object): CorpusRow => ({
    file: `${AN}condition-analyzer.yaml`, code: 'GW020', object, count: 1,
    istio: 'no golden: the parentRef (kind defaulting to Gateway) names Gateway default/negative-condition-svc, which no manifest holds, so istiod attaches the route nowhere and writes it no status; the route\'s own status says Accepted False, and Istio\'s analyzer test expects NegativeConditionStatus on it (analyzers_test.go "Condition Analyzer")',
  })),
  { file: `${AN}k8sgateway-selector.yaml`, code: 'WASM027', object: 'WasmPlugin default/wasmplugin-ineffective', count: 1, istio: 'IST0166 IneffectiveSelector (analyzers_test.go KubernetesGatewaySelector)' },
  { file: 'samples/tcp-echo/gateway-api/tcp-echo-all-v1.yaml', code: 'GW006', object: 'Gateway default/tcp-echo-gateway', count: 1, istio: 'listener Accepted False UnsupportedProtocol with istiod\'s default PILOT_ENABLE_ALPHA_GATEWAY_API=false (listenerProtocolToIstio): the sample\'s TCP listener works only with the flag on' },
];

/** The validation testdata: what its checks assert (corpus.test.ts), kept apart from the table. */
export const VALIDATION_DIR = 'pkg/config/validation/testdata/crds';
export const WASM_INVALID = `${VALIDATION_DIR}/wasm-invalid.yaml`;
/** Files with findings; errors on the 15 WasmPlugins of wasm-invalid.yaml, by code; WASM028 warnings on the `http://` modules without sha256. */
export const VALIDATION_COUNTS = { files: 2, errors: { WASM011: 1, WASM012: 6, WASM015: 9 }, warnings: { WASM028: 10 } } as const;

export const CORPUS_START = '<!-- corpus-figures:start (npm run docs:fidelity) -->';
export const CORPUS_END = '<!-- corpus-figures:end -->';

/** The corpus figures docs/fidelity.md states: per tree, the files with findings and the findings by code. */
export function corpusFigures(rows: readonly CorpusRow[], severityOf: (code: string) => string): string {
  const trees: Array<[string, string]> = [['samples/', 'samples/'], [GW, GW], [AN, AN]];
  const lines = [CORPUS_START, '| tree | files with findings | errors | warnings |', '|---|---:|---|---|'];
  const byCode = (list: readonly CorpusRow[]) => {
    const n: Record<string, number> = {};
    for (const r of list) n[r.code] = (n[r.code] ?? 0) + r.count;
    const codes = Object.keys(n).sort();
    return codes.length === 0 ? 'none' : codes.map((c) => `${c} ×${n[c]}`).join(', ');
  };
  for (const [label, prefix] of trees) {
    const mine = rows.filter((r) => r.file.startsWith(prefix));
    const files = new Set(mine.map((r) => r.file)).size;
    lines.push(`| \`${label}\` | ${files} | ${byCode(mine.filter((r) => severityOf(r.code) === 'error'))} | ${byCode(mine.filter((r) => severityOf(r.code) === 'warning'))} |`);
  }
  const v = VALIDATION_COUNTS;
  const list = (o: Record<string, number>) => Object.entries(o).map(([c, n]) => `${c} ×${n}`).join(', ');
  lines.push(`| \`${VALIDATION_DIR}/\` | ${v.files} | ${list(v.errors)} (all on \`wasm-invalid.yaml\`) | ${list(v.warnings)} |`);
  lines.push(CORPUS_END);
  return lines.join('\n');
}

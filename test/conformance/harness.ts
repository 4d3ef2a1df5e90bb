/**
 * The objects Istio's own tests add around their YAML, so `analyze` sees what istiod saw when it wrote the golden files.
 * Facts from istio@1.30.3:pilot/pkg/config/kube/gateway/conversion_test.go (`readConfig`, `services`, `objects`):
 * the static part is `fixtures/gateway-harness.yaml`; the Namespaces depend on the input and are made here.
 */
import * as path from 'path';
import { SourcedManifest } from '../../src/model/manifest';
import { loadManifests } from '../../src/loader/load';

/** Where the static harness objects are. */
export const GATEWAY_HARNESS = path.join(__dirname, 'fixtures', 'gateway-harness.yaml');

/**
 * The Namespaces `readConfig` creates: one per namespace the input's objects name (before the harness Services are
 * added), labelled `istio.io/test-name-part` with the name up to its first "-". Namespaces only the harness objects
 * use (apple, banana, ns2...) get none.
 */
export function harnessNamespaces(input: readonly SourcedManifest[]): SourcedManifest[] {
  const names = new Set<string>();
  for (const o of input) {
    const ns = o.manifest.metadata?.namespace;
    if (typeof ns === 'string' && ns !== '') names.add(ns);
  }
  return [...names].sort().map((name) => ({
    origin: `${GATEWAY_HARNESS} (readConfig's Namespace ${name})`,
    manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'istio.io/test-name-part': name.split('-')[0] } } },
  }));
}

/** The harness of `TestConvertResources` for one input file's objects: its static objects, then its Namespaces. */
export function gatewayHarness(input: readonly SourcedManifest[]): SourcedManifest[] {
  const parsed = loadManifests([GATEWAY_HARNESS]);
  if (parsed.errors.length > 0) throw new Error(`${GATEWAY_HARNESS}:${parsed.errors[0].line}: ${parsed.errors[0].message}`);
  return [...parsed.objects, ...harnessNamespaces(input)];
}

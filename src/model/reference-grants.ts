/**
 * ReferenceGrant, as istiod reads it (`pilot/pkg/config/kube/gatewaycommon/references.go`
 * `ReferenceGrantsCollection`, `SecretAllowed`, `BackendAllowed`): a grant in the target's namespace lets objects of
 * one kind in one namespace reference objects of one kind there (all of them, or one by name).
 */
import { Entry, MeshModel } from './mesh-model';
import { GATEWAY_GROUP } from './manifest';

/** The referring side: a Gateway, HTTPRoute or GRPCRoute in a namespace. */
export interface GrantFrom {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
}

/** The referenced side: a Secret or Service by name in a namespace (group `""` for core). */
export interface GrantTo {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** The kinds istiod accepts on each side of a grant; other entries are skipped (they may be for another controller). */
const FROM_KINDS = new Set(['Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'ListenerSet']);
const TO_KINDS = new Set(['ConfigMap', 'Secret', 'Service', 'InferencePool']);

const grantIndex = new WeakMap<MeshModel, Map<string, Entry[]>>();

/** ReferenceGrants by namespace, built once per model. */
export function referenceGrantsIn(model: MeshModel, namespace: string): Entry[] {
  let idx = grantIndex.get(model);
  if (!idx) {
    idx = new Map();
    for (const e of model.entries) {
      if (e.group !== GATEWAY_GROUP || e.kind !== 'ReferenceGrant') continue;
      const list = idx.get(e.namespace);
      if (list) list.push(e); else idx.set(e.namespace, [e]);
    }
    grantIndex.set(model, idx);
  }
  return idx.get(namespace) ?? [];
}

/** The grant that allows `from` to reference `to`, if any (same namespace needs none: check that first). */
export function findGrant(model: MeshModel, from: GrantFrom, to: GrantTo): Entry | undefined {
  return referenceGrantsIn(model, to.namespace).find((g) => {
    const spec = g.manifest.spec ?? {};
    const froms: any[] = Array.isArray(spec.from) ? spec.from : [];
    const tos: any[] = Array.isArray(spec.to) ? spec.to : [];
    const fromOk = froms.some((f) => f && FROM_KINDS.has(f.kind) && String(f.group ?? '') === from.group && f.kind === from.kind && f.namespace === from.namespace);
    if (!fromOk) return false;
    return tos.some((t) => t && TO_KINDS.has(t.kind) && String(t.group ?? '') === to.group && t.kind === to.kind
      && (t.name === undefined || t.name === null || t.name === to.name));
  });
}

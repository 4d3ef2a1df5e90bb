/**
 * Argo CD ordering rules: within one sync, Argo CD applies lower waves first and waits for each wave to be
 * healthy. A WasmPlugin in a wave before (or with) the Gateway it attaches to can land before that proxy is
 * programmed; a route before its Gateway, an object before its Namespace, the same. These rules read only
 * the `argocd.argoproj.io/sync-wave` annotation, so they stay silent on manifests that use no waves.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { key } from '../model/manifest';
import { resolveTargets } from '../model/attachment';
import { FieldProblem, Finding, problemToFinding } from './finding';
import { severityOf } from './codes';
import { entryRef } from './wasm-plugin';

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
const FIELD = `metadata.annotations["${SYNC_WAVE_ANNOTATION}"]`;

/** The object's sync wave, or undefined when it has no (integer) wave annotation; Argo CD then uses 0. */
export function syncWaveOf(e: Entry): number | undefined {
  const raw = e.manifest.metadata?.annotations?.[SYNC_WAVE_ANNOTATION];
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

function problem(code: string, message: string, value: unknown, fix: string): FieldProblem {
  return { code, severity: severityOf(code), field: FIELD, message, value, fix };
}

/** Compares two waves when at least one is explicit; `after` must sync strictly later than `before`. */
function outOfOrder(after: Entry, before: Entry, strict: boolean): { a: number; b: number } | undefined {
  const a = syncWaveOf(after);
  const b = syncWaveOf(before);
  if (a === undefined && b === undefined) return undefined;
  const wa = a ?? 0;
  const wb = b ?? 0;
  return (strict ? wa <= wb : wa < wb) ? { a: wa, b: wb } : undefined;
}

/** Every ordering finding of the model. */
export function checkSyncWaves(model: MeshModel): Finding[] {
  const out: Finding[] = [];
  for (const plugin of model.extensions) {
    const seen = new Set<Entry>();
    for (const r of resolveTargets(model, plugin)) {
      for (const place of r.places) {
        // waves order one Application's sync; a proxy in another namespace is taken to be another Application
        if (place.proxy.namespace !== plugin.namespace || seen.has(place.proxy)) continue;
        seen.add(place.proxy);
        const bad = outOfOrder(plugin, place.proxy, true);
        if (bad) {
          out.push(problemToFinding(entryRef(plugin), problem('ARGO001',
            `syncs in wave ${bad.a}, not after Gateway ${place.proxy.namespace}/${place.proxy.name} (wave ${bad.b}) it attaches to${place.service ? ` through Service ${place.service.name}` : ''}: the plugin can land before the proxy is programmed`,
            String(bad.a), `give the plugin a wave above ${bad.b} (SyncWaves.POLICIES), or leave waves to GitOpsApp`)));
        }
      }
    }
  }
  for (const route of model.httpRoutes) {
    const parents: any[] = Array.isArray(route.manifest.spec?.parentRefs) ? route.manifest.spec.parentRefs : [];
    for (const p of parents) {
      const ns = typeof p?.namespace === 'string' && p.namespace !== '' ? p.namespace : route.namespace;
      const gw = ns === route.namespace ? model.gateways.get(key(ns, String(p?.name ?? ''))) : undefined;
      const bad = gw && outOfOrder(route, gw, true);
      if (gw && bad) {
        out.push(problemToFinding(entryRef(route), problem('ARGO002',
          `syncs in wave ${bad.a}, not after its parent Gateway ${gw.namespace}/${gw.name} (wave ${bad.b})`,
          String(bad.a), `give the route a wave above ${bad.b} (SyncWaves.ROUTES)`)));
      }
    }
  }
  for (const e of model.entries) {
    if (e.namespace === '') continue;
    const ns = model.namespaces.get(e.namespace);
    // Argo CD applies a Namespace before the other kinds of its own wave, so only an earlier wave is wrong
    const bad = ns && outOfOrder(e, ns, false);
    if (ns && bad) {
      out.push(problemToFinding(entryRef(e), problem('ARGO003',
        `syncs in wave ${bad.a}, before its Namespace ${ns.name} (wave ${bad.b})`, String(bad.a),
        `give the object a wave of at least ${bad.b}, or move the Namespace to an earlier wave (SyncWaves.NAMESPACE)`)));
    }
  }
  return out;
}

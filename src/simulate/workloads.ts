/**
 * Workloads as the simulator needs them: the pod template that decides ambient capture (SEMANTICS 1.1) and
 * which Services select it.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { LABEL_DATAPLANE_MODE } from '../model/waypoint-binding';

export interface Workload {
  readonly entry: Entry;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly podLabels: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
  readonly containers: any[];
}

/** Kinds that run pods, in the order `<namespace>/<name>` prefers them when names clash. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'Job', 'CronJob', 'ReplicaSet'];

/** kubectl's short and plural names for the workload kinds. */
export const KIND_ALIASES: Record<string, string> = {
  deploy: 'Deployment', deployment: 'Deployment', deployments: 'Deployment',
  sts: 'StatefulSet', statefulset: 'StatefulSet', statefulsets: 'StatefulSet',
  ds: 'DaemonSet', daemonset: 'DaemonSet', daemonsets: 'DaemonSet',
  po: 'Pod', pod: 'Pod', pods: 'Pod',
  job: 'Job', jobs: 'Job', cj: 'CronJob', cronjob: 'CronJob', cronjobs: 'CronJob',
  rs: 'ReplicaSet', replicaset: 'ReplicaSet', replicasets: 'ReplicaSet',
};

function stringMap(v: unknown): Record<string, string> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
}

/** The pod template of a workload object, or undefined for other kinds. */
export function workloadOf(e: Entry): Workload | undefined {
  if (!WORKLOAD_KINDS.includes(e.kind) || (e.group !== 'core' && e.group !== 'apps' && e.group !== 'batch')) return undefined;
  const m = e.manifest;
  const template = e.kind === 'Pod' ? m : e.kind === 'CronJob' ? m.spec?.jobTemplate?.spec?.template : m.spec?.template;
  if (!template || typeof template !== 'object') return undefined;
  return {
    entry: e, kind: e.kind, namespace: e.namespace, name: e.name,
    podLabels: stringMap(template.metadata?.labels), podAnnotations: stringMap(template.metadata?.annotations),
    containers: Array.isArray(template.spec?.containers) ? template.spec.containers : [],
  };
}

export interface Capture {
  readonly captured: boolean;
  readonly why: string;
}

/**
 * Whether ztunnel captures the workload's pods: pod label `ambient`, or namespace label `ambient` without pod
 * label `none`; a pod that gets a sidecar is never captured. Injection follows the default webhook selectors
 * (namespace `istio-injection`, pod `sidecar.istio.io/inject`).
 */
export function captureOf(model: MeshModel, w: Workload): Capture {
  const nsLabels = model.namespaceLabels(w.namespace);
  const pod = w.podLabels;
  const inject = pod['sidecar.istio.io/inject'];
  const nsInjection = nsLabels?.['istio-injection'];
  if (w.podAnnotations['sidecar.istio.io/status'] !== undefined) {
    return { captured: false, why: 'its pods carry an injected sidecar (annotation sidecar.istio.io/status), and a pod is sidecar or ambient, never both' };
  }
  // the default webhook's selectors; revision labels (istio.io/rev) are left out, as ambient namespaces may carry them too
  const sidecar = (inject === 'true' && nsInjection !== 'disabled') || (nsInjection === 'enabled' && inject !== 'false');
  if (sidecar) {
    return { captured: false, why: 'its pods would get a sidecar (injection labels on the pod or Namespace), and sidecar clients are never captured by ztunnel' };
  }
  const podMode = pod[LABEL_DATAPLANE_MODE];
  if (podMode === 'ambient') return { captured: true, why: `pod label ${LABEL_DATAPLANE_MODE}=ambient` };
  if (podMode === 'none') return { captured: false, why: `pod label ${LABEL_DATAPLANE_MODE}=none opts it out of ambient` };
  if (nsLabels === undefined) {
    return { captured: false, why: `Namespace ${w.namespace} is not among the manifests, so its ambient enrollment is unknown` };
  }
  if (nsLabels[LABEL_DATAPLANE_MODE] === 'ambient') return { captured: true, why: `Namespace ${w.namespace} has ${LABEL_DATAPLANE_MODE}=ambient` };
  return { captured: false, why: `neither the pod nor Namespace ${w.namespace} is labelled ${LABEL_DATAPLANE_MODE}=ambient` };
}

/** Whether a Service's selector picks the workload's pods (an empty or absent selector picks none). */
export function selects(selector: unknown, w: Workload): boolean {
  const sel = stringMap(selector);
  const keys = Object.keys(sel);
  return keys.length > 0 && keys.every((k) => w.podLabels[k] === sel[k]);
}

/** A container environment variable given as a literal value. */
export function envValue(w: Workload, name: string): string | undefined {
  for (const c of w.containers) {
    for (const e of Array.isArray(c?.env) ? c.env : []) {
      if (e?.name === name && typeof e.value === 'string') return e.value;
    }
  }
  return undefined;
}

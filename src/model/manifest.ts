/**
 * Plain Kubernetes objects as the rules and the model see them: JSON, no cdk8s.
 */

/** Minimal view of a Kubernetes object; everything else is read defensively. */
export interface Manifest {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: any;
}

/** An object together with where it came from: a construct path, or `file:line`. */
export interface SourcedManifest {
  readonly manifest: Manifest;
  readonly origin: string;
  /** Opaque handle of the producer (the construct at synth time); the model never reads it. */
  readonly source?: unknown;
}

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const ISTIO_NETWORKING_GROUP = 'networking.istio.io';
export const ISTIO_EXTENSIONS_GROUP = 'extensions.istio.io';

/** The API group of an object, `core` for the legacy group (as Istio canonicalises it). */
export function groupOf(m: Manifest): string {
  const av = typeof m.apiVersion === 'string' ? m.apiVersion : '';
  const slash = av.indexOf('/');
  return slash < 0 ? 'core' : av.slice(0, slash);
}

/** Istio's canonical group for a policy target ref: `""` and absent mean `core`. */
export function canonicalGroup(group: unknown): string {
  return group === undefined || group === null || group === '' ? 'core' : String(group);
}

export function nameOf(m: Manifest): string {
  return typeof m.metadata?.name === 'string' ? m.metadata.name : '';
}

export function labelsOf(m: Manifest | undefined): Record<string, string> {
  const l = m?.metadata?.labels;
  return l && typeof l === 'object' && !Array.isArray(l) ? (l as Record<string, string>) : {};
}

export function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Kinds whose objects run pods, and where their pod template sits. */
const POD_TEMPLATE: Record<string, (m: Manifest) => any> = {
  Pod: (m) => m,
  Deployment: (m) => m.spec?.template,
  StatefulSet: (m) => m.spec?.template,
  DaemonSet: (m) => m.spec?.template,
  ReplicaSet: (m) => m.spec?.template,
  Job: (m) => m.spec?.template,
  CronJob: (m) => m.spec?.jobTemplate?.spec?.template,
};

/**
 * The labels the pods of an object carry: a Pod's own, a workload's pod template's; `undefined` for kinds that
 * run no pods.
 */
export function podLabelsOf(m: Manifest): Record<string, string> | undefined {
  const get = typeof m.kind === 'string' ? POD_TEMPLATE[m.kind] : undefined;
  if (!get) return undefined;
  const template = get(m);
  return template && typeof template === 'object' ? labelsOf(template) : {};
}

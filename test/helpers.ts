import { Chart, Testing } from 'cdk8s';

/** Finds exactly one synthesized object by kind and name (never by index). */
export function find(manifests: any[], kind: string, name: string, namespace?: string): any {
  const hits = manifests.filter((m) => m.kind === kind && m.metadata?.name === name && (namespace === undefined || m.metadata?.namespace === namespace));
  if (hits.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${hits.length}`);
  return hits[0];
}

export function ofKind(manifests: any[], kind: string): any[] {
  return manifests.filter((m) => m.kind === kind);
}

export function synth(chart: Chart): any[] {
  return Testing.synth(chart);
}

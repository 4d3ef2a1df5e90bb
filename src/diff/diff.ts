/**
 * `diff OLD NEW`: two simulators and one request generator. The requests that matter are generated from both
 * trees' models, each is simulated against both, and the ones whose status changes are reported. A request
 * that got 401 or 403 and now gets a 2xx is "opened".
 *
 * Only namespaces whose objects changed, and the namespaces tied to them, are simulated: a request's outcome
 * depends on the objects of the client's namespace, the target's, and those they name (a waypoint, a route's
 * parent or backend, a ServiceEntry host), which are tied together before anything is skipped. A change to the
 * root namespace or to a cluster-scoped object re-simulates everything. `full` turns the shortcut off.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { GATEWAY_GROUP, ISTIO_EXTENSIONS_GROUP, ISTIO_NETWORKING_GROUP, SourcedManifest } from '../model/manifest';
import { checkOneCluster, clusterPaths } from '../loader/clusters';
import { LoadOptions, loadManifests } from '../loader/load';
import { Simulator, SimulatorOptions } from '../simulate/simulator';
import { SimulationStatus } from '../simulate/types';
import { WORKLOAD_KINDS, selects, workloadOf } from '../simulate/workloads';
import { AllowEntry, allowMatches } from './allow';
import { CredentialKind, Probe, probeTargets, targetProbes } from './probes';

import { DiffInputError } from './errors';

export { DiffInputError } from './errors';

export interface DiffOptions extends SimulatorOptions, LoadOptions {
  /** Simulate every namespace, not only those a change can reach. @default false */
  readonly full?: boolean;
  /** Openings that are intended (see `parseAllowFile`). @default - none */
  readonly allow?: readonly AllowEntry[];
  /** Allow every opening (still reported). @default false */
  readonly allowOpened?: boolean;
  /** Compare this cluster of two fleet trees (`clusters/<cluster>/` under each side). @default - the trees as given */
  readonly cluster?: string;
}

/** `opened`: 401/403 to 2xx; `closed`: 2xx to 401/403; `added`/`removed`: the target exists in one tree only. */
export type ChangeKind = 'opened' | 'closed' | 'changed' | 'added' | 'removed';

export const CHANGE_ORDER: readonly ChangeKind[] = ['opened', 'closed', 'changed', 'added', 'removed'];

export interface DiffSide {
  readonly status: SimulationStatus;
  readonly reason: string;
}

export interface RequestChange {
  readonly change: ChangeKind;
  readonly target: string;
  readonly from: string;
  readonly method: string;
  readonly url: string;
  /** The Host header, when it is not the URL's. */
  readonly host?: string;
  readonly credentials: CredentialKind;
  /** A listed credential's user, masked (`ok:***`), and the rule that lists it. */
  readonly credentialUser?: string;
  readonly credentialSource?: string;
  readonly before: DiffSide;
  readonly after: DiffSide;
  /** Why an opening is intended, when an allow entry or `--allow-opened` says so. */
  readonly allowed?: string;
}

export interface DiffSummary {
  /** Requests simulated against both trees. */
  readonly requests: number;
  readonly changed: number;
  readonly opened: number;
  /** Openings that an allow entry or `allowOpened` accepts. */
  readonly allowed: number;
  readonly closed: number;
  readonly other: number;
  readonly added: number;
  readonly removed: number;
  /** Namespaces in either tree. */
  readonly namespaces: number;
  /** Namespaces whose requests were simulated (the rest cannot have changed). */
  readonly namespacesSimulated: number;
}

export interface DiffResult {
  readonly changes: RequestChange[];
  readonly summary: DiffSummary;
  /** Allow entries that matched no opening (stale entries to remove), as written. */
  readonly unusedAllows: string[];
}

const OPEN = (s: SimulationStatus) => typeof s === 'number' && s >= 200 && s < 300;
const DENIED = (s: SimulationStatus) => s === 401 || s === 403;

/**
 * The API groups whose objects can change what a request gets (what the model and the simulator read); others
 * (Argo CD's, ConfigMaps' consumers, RBAC) neither change an outcome nor tie namespaces together.
 */
const TRAFFIC_GROUPS = new Set(['core', 'apps', 'batch', GATEWAY_GROUP, ISTIO_NETWORKING_GROUP, ISTIO_EXTENSIONS_GROUP, 'security.istio.io']);

/** The canonical text of every object of each namespace (Namespace objects count in their own). */
function namespaceTexts(model: MeshModel): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of model.entries) {
    if (!TRAFFIC_GROUPS.has(e.group)) continue;
    const ns = e.kind === 'Namespace' && e.group === 'core' ? e.name : e.namespace;
    const list = out.get(ns);
    const text = JSON.stringify(e.manifest);
    if (list) list.push(text); else out.set(ns, [text]);
  }
  for (const list of out.values()) list.sort();
  return out;
}

// kinds whose spec can name another namespace (targets, parents, backends, grants, policies' sources)
const REFERRING_GROUPS = new Set([GATEWAY_GROUP, ISTIO_NETWORKING_GROUP, ISTIO_EXTENSIONS_GROUP, 'security.istio.io']);

/** Namespaces an object names: `namespace` fields in a gateway or Istio spec, `*-namespace` labels, ServiceEntry hosts. */
function namedNamespaces(e: Entry, out: Set<string>): void {
  const walk = (v: unknown, depth: number) => {
    if (depth > 12 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) { for (const x of v) walk(x, depth + 1); return; }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if ((k === 'namespace' || k === 'namespaces') && typeof x === 'string') out.add(x);
      else if (k === 'namespaces' && Array.isArray(x)) { for (const n of x) if (typeof n === 'string') out.add(n); }
      else walk(x, depth + 1);
    }
  };
  const m = e.manifest.metadata;
  for (const bag of [m?.labels, m?.annotations]) {
    if (bag && typeof bag === 'object') for (const [lk, lv] of Object.entries(bag)) if (/namespace$/i.test(lk) && typeof lv === 'string') out.add(lv);
  }
  if (REFERRING_GROUPS.has(e.group)) walk(e.manifest.spec, 0);
  if (e.kind === 'ServiceEntry' && Array.isArray(e.manifest.spec?.hosts)) {
    for (const h of e.manifest.spec.hosts) {
      const parts = typeof h === 'string' ? h.split('.') : [];
      if (parts.length >= 2) out.add(parts[1]);
    }
  }
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  public find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p === x) return x;
    p = this.find(p);
    this.parent.set(x, p);
    return p;
  }
  public union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

/** The namespaces whose requests may have changed: those with a changed object, and every namespace tied to one. */
export function dirtyNamespaces(before: MeshModel, after: MeshModel): { all: Set<string>; dirty: Set<string> } {
  const a = namespaceTexts(before);
  const b = namespaceTexts(after);
  const all = new Set([...a.keys(), ...b.keys()]);
  all.delete('');
  const changed = new Set<string>();
  for (const ns of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(ns);
    const y = b.get(ns);
    if (!x || !y || x.length !== y.length || x.some((t, i) => t !== y[i])) changed.add(ns);
  }
  if (changed.has('') || changed.has(before.rootNamespace) || changed.has(after.rootNamespace) || before.rootNamespace !== after.rootNamespace) {
    return { all, dirty: new Set(all) };
  }
  const uf = new UnionFind();
  const hosts = new Map<string, string>();
  for (const model of [before, after]) {
    for (const e of model.entries) {
      const own = e.kind === 'Namespace' && e.group === 'core' ? e.name : e.namespace;
      if (own === '' || !TRAFFIC_GROUPS.has(e.group)) continue;
      const named = new Set<string>();
      namedNamespaces(e, named);
      for (const n of named) { uf.union(own, n); all.add(n); }
      if (e.kind === 'ServiceEntry' && Array.isArray(e.manifest.spec?.hosts)) {
        // two ServiceEntries that claim one host compete for it
        for (const h of e.manifest.spec.hosts) {
          if (typeof h !== 'string') continue;
          const other = hosts.get(h);
          if (other !== undefined) uf.union(own, other); else hosts.set(h, own);
        }
      }
    }
  }
  const roots = new Set([...changed].map((n) => uf.find(n)));
  return { all, dirty: new Set([...all].filter((n) => roots.has(uf.find(n)))) };
}

/**
 * The client each namespace sends from, the same in both trees when it can be: a workload present in both,
 * preferring one no Service selects (a client such as curl rather than a backend), then kind order, then name.
 */
function clients(before: MeshModel, after: MeshModel): Map<string, string> {
  const list = (m: MeshModel) => {
    const out = new Map<string, Map<string, number>>();
    const services = new Map<string, unknown[]>();
    for (const s of m.services.values()) services.set(s.namespace, [...(services.get(s.namespace) ?? []), s.manifest.spec?.selector]);
    for (const e of m.entries) {
      const w = workloadOf(e);
      if (!w) continue;
      const backend = (services.get(w.namespace) ?? []).some((sel) => selects(sel, w)) ? WORKLOAD_KINDS.length : 0;
      const byName = out.get(w.namespace) ?? new Map<string, number>();
      byName.set(w.name, Math.min(byName.get(w.name) ?? Infinity, backend + WORKLOAD_KINDS.indexOf(w.kind)));
      out.set(w.namespace, byName);
    }
    return out;
  };
  const a = list(before);
  const b = list(after);
  const pick = (names: Array<[string, number]>) => names.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))[0]?.[0];
  const out = new Map<string, string>();
  for (const ns of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(ns) ?? new Map();
    const y = b.get(ns) ?? new Map();
    const both = [...x].filter(([n, r]) => y.get(n) === r);
    const name = pick(both) ?? pick([...y]) ?? pick([...x]);
    if (name !== undefined) out.set(ns, `${ns}/${name}`);
  }
  return out;
}

/** The namespace whose client also requests `ns`'s targets: the next one with a client, in name order. */
function outsiders(clientNamespaces: string[]): (ns: string) => string | undefined {
  const sorted = [...clientNamespaces].sort();
  return (ns) => {
    if (sorted.length === 0 || (sorted.length === 1 && sorted[0] === ns)) return undefined;
    const next = sorted.find((n) => n > ns) ?? sorted[0];
    return next === ns ? sorted.find((n) => n !== ns) : next;
  };
}

function compareChanges(x: RequestChange, y: RequestChange): number {
  const c = (a: string | undefined, b: string | undefined) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
  const creds: CredentialKind[] = ['none', 'invalid', 'valid'];
  return CHANGE_ORDER.indexOf(x.change) - CHANGE_ORDER.indexOf(y.change) || c(x.target, y.target) || c(x.from, y.from)
    || c(x.url, y.url) || c(x.method, y.method) || c(x.host, y.host) || creds.indexOf(x.credentials) - creds.indexOf(y.credentials)
    || c(x.credentialUser, y.credentialUser) || c(x.credentialSource, y.credentialSource);
}

function run(sim: Simulator, p: Probe): DiffSide {
  try {
    const r = sim.simulate(p.request);
    return { status: r.status, reason: r.reason };
  } catch (e) {
    return { status: 'unknown', reason: `not simulated: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
}

/** Diffs two sets of manifests (pure). */
export function diffObjects(before: readonly SourcedManifest[], after: readonly SourcedManifest[], options: DiffOptions = {}): DiffResult {
  const mOld = MeshModel.build(before, options);
  const mNew = MeshModel.build(after, options);
  const simOld = Simulator.from(mOld, options);
  const simNew = Simulator.from(mNew, options);
  const found = dirtyNamespaces(mOld, mNew);
  const all = found.all;
  const dirty = options.full ? undefined : found.dirty;
  const from = clients(mOld, mNew);
  const outsider = outsiders([...from.keys()]);
  const inScope = (ns: string) => dirty === undefined || dirty.has(ns) || dirty.has(outsider(ns) ?? '\u0000');
  const targetsOld = probeTargets(mOld, options.clusterDomain, inScope);
  const targetsNew = probeTargets(mNew, options.clusterDomain, inScope);
  const inOld = new Set(targetsOld.map((t) => t.id));
  const inNew = new Set(targetsNew.map((t) => t.id));
  const probes = new Map<string, Probe>();
  for (const t of [...targetsOld, ...targetsNew]) {
    // the target's own namespace sends every request; one other namespace's client the ones without credentials
    const other = outsider(t.namespace);
    const senders: Array<[string, boolean]> = [[t.namespace, false], ...(other !== undefined && other !== t.namespace ? [[other, true] as [string, boolean]] : [])];
    for (const [ns, noCreds] of senders) {
      if (!from.has(ns)) continue;
      for (const p of targetProbes(t, from.get(ns)!, ns, noCreds)) if (!probes.has(p.key)) probes.set(p.key, p);
    }
  }
  const allow = options.allow ?? [];
  const used = new Set<AllowEntry>();
  const changes: RequestChange[] = [];
  for (const p of probes.values()) {
    const b = run(simOld, p);
    const a = run(simNew, p);
    if (b.status === a.status) continue;
    const change: ChangeKind = !inOld.has(p.target) ? 'added' : !inNew.has(p.target) ? 'removed'
      : DENIED(b.status) && OPEN(a.status) ? 'opened' : OPEN(b.status) && DENIED(a.status) ? 'closed' : 'changed';
    const host = p.request.headers && Array.isArray(p.request.headers) ? (p.request.headers as Array<[string, string]>).find(([n]) => n === 'Host')?.[1] : undefined;
    const base: RequestChange = {
      change, target: p.target, from: p.request.from, method: p.request.method ?? 'GET', url: p.request.url, ...(host ? { host } : {}),
      credentials: p.credentials, ...(p.credentialUser !== undefined ? { credentialUser: p.credentialUser, credentialSource: p.credentialSource } : {}),
      before: b, after: a,
    };
    let allowed: string | undefined;
    if (change === 'opened') {
      const hit = allow.find((x) => allowMatches(x, base, p.path));
      if (hit) { used.add(hit); allowed = hit.reason; } else if (options.allowOpened) allowed = 'allowed by --allow-opened';
    }
    changes.push(allowed !== undefined ? { ...base, allowed } : base);
  }
  changes.sort(compareChanges);
  const count = (k: ChangeKind) => changes.filter((c) => c.change === k).length;
  const namespaces = all;
  return {
    changes,
    summary: {
      requests: probes.size, changed: changes.length, opened: count('opened'), allowed: changes.filter((c) => c.allowed !== undefined).length,
      closed: count('closed'), other: count('changed'), added: count('added'), removed: count('removed'),
      namespaces: namespaces.size, namespacesSimulated: dirty === undefined ? namespaces.size : [...namespaces].filter(inScope).length,
    },
    unusedAllows: allow.filter((x) => !used.has(x)).map((x) => x.text),
  };
}

function load(side: 'OLD' | 'NEW', paths: readonly string[], cluster: string | undefined, options: LoadOptions): SourcedManifest[] {
  let roots = paths;
  try {
    if (cluster !== undefined) roots = clusterPaths(paths, cluster);
  } catch (e: any) {
    throw new DiffInputError(`${side}: ${String(e?.message ?? e)}`);
  }
  const loaded = loadManifests(roots, options);
  if (loaded.errors.length > 0) {
    const e = loaded.errors[0];
    const more = loaded.errors.length > 1 ? ` (and ${loaded.errors.length - 1} more)` : '';
    throw new DiffInputError(`${side}: ${e.file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}${more}; fix the file or leave it out`);
  }
  if (loaded.objects.length === 0) {
    throw new DiffInputError(`${side}: no Kubernetes object found under ${paths.map((p) => JSON.stringify(p)).join(', ')}; point it at a synthesized tree (e.g. dist)`);
  }
  try {
    // each cluster's mesh is its own: a fleet is compared one cluster at a time
    checkOneCluster(loaded.objects, paths, 'a diff compares one cluster');
  } catch (e: any) {
    throw new DiffInputError(`${side}: ${String(e?.message ?? e)}`);
  }
  return loaded.objects;
}

/** Loads both trees (folders read recursively) and diffs them; throws {@link DiffInputError} for unreadable input. */
export function diffPaths(before: readonly string[], after: readonly string[], options: DiffOptions = {}): DiffResult {
  const { cluster, ...rest } = options;
  return diffObjects(load('OLD', before, cluster, rest), load('NEW', after, cluster, rest), rest);
}

/** 1 when a request opened and no allow entry says it is intended, else 0. */
export function diffExitCode(result: DiffResult): 0 | 1 {
  return result.changes.some((c) => c.change === 'opened' && c.allowed === undefined) ? 1 : 0;
}

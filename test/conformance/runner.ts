// The conformance runner: reads the case tables (test/conformance/*.yaml) and answers each case's question
// through the package's public surface only (cdk8s-istio-ambient, /model, /rules, /analyze, /simulate), so a
// refactor cannot silently drop a case.
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { Testing } from 'cdk8s';
import { AmbientNamespace, WaypointNamespaces, WaypointTraffic } from '../../src';
import {
  BindingFailure, ChainType, Entry, ListenerClass, MeshModel, MeshModelOptions, Place, ProxyKind, SourcedManifest, attaches, extensionsOnChain,
  proxyKindOf, resolveWaypoint, waypointChainsFor,
} from '../../src/model';
import { ADMISSION_CODES, Severity, parseBasicAuthConfig, refusalOf } from '../../src/rules';
import { analyzeObjects } from '../../src/analyze';
import { Simulator } from '../../src/simulate';
import { istioReasons } from './istio-conditions';

export const TABLES = __dirname;

/** Where a case's answer comes from, at the pinned versions. */
export const SOURCE = /^(istio@1\.30\.3|wasmext@1\.12\.0|istio-proxy@[0-9a-f]{7}|k8s@v1\.28\.0|k8sdns@1\.1\.0|gwapi@v1\.5\.1):[\w./-]+(:\d+)?( .+)?$/;

export type Answer = unknown;

export interface Case {
  readonly name: string;
  /** `istio@1.30.3:<path> <function or test-table entry>`, `wasmext@1.12.0:<path>:<line>`, ... */
  readonly source: string;
  readonly base?: string | string[];
  readonly manifests?: any[];
  readonly options?: MeshModelOptions;
  readonly ask: Record<string, any>;
  /** What Istio (or the module) does: the answer our tools must give. */
  readonly istio: Answer;
  /** `unknown`: the evidence does not decide (istio is then `unknown`); `deviation`: we answer `ours` on purpose. */
  readonly status?: 'unknown' | 'deviation';
  readonly ours?: Answer;
  readonly reason?: string;
  /** For deviations: a phrase of docs/decisions.md that records the decision. */
  readonly decision?: string;
}

export interface Table {
  readonly family: string;
  readonly title: string;
  readonly sources: string[];
  readonly bases?: Record<string, any[]>;
  readonly cases: Case[];
  readonly file: string;
}

/** Every table, in file name order. */
export function loadTables(): Table[] {
  return fs.readdirSync(TABLES).filter((f) => f.endsWith('.yaml')).sort().map((f) => {
    const t = parse(fs.readFileSync(path.join(TABLES, f), 'utf8'));
    return { ...t, file: f };
  });
}

/** The manifests of a case: its bases, then its own. */
export function manifestsOf(table: Table, c: Case): any[] {
  const bases = c.base === undefined ? [] : Array.isArray(c.base) ? c.base : [c.base];
  const out: any[] = [];
  for (const b of bases) {
    const list = table.bases?.[b];
    if (!list) throw new Error(`${table.file}: case ${JSON.stringify(c.name)} names base ${JSON.stringify(b)}, which the table does not define`);
    out.push(...list);
  }
  out.push(...(c.manifests ?? []));
  return JSON.parse(JSON.stringify(out));
}

function sourced(objects: any[]): SourcedManifest[] {
  return objects.map((manifest, i) => ({ manifest, origin: `case.yaml:${i + 1}` }));
}

/** `Kind ns/name` (or `Kind name` for cluster-scoped kinds). */
function find(model: MeshModel, ref: string): Entry {
  const m = /^(\S+) (?:([^/\s]+)\/)?(\S+)$/.exec(ref);
  if (!m) throw new Error(`bad object reference ${JSON.stringify(ref)}: write "Kind namespace/name"`);
  const [, kind, ns, name] = m;
  const e = model.entries.find((x) => x.kind === kind && x.name === name && (ns === undefined || x.namespace === ns));
  if (!e) throw new Error(`no ${ref} among the case's manifests`);
  return e;
}

function placeOf(model: MeshModel, ask: { proxy: string; service?: string }): Place | undefined {
  const proxy = find(model, ask.proxy);
  const service = ask.service ? find(model, ask.service) : undefined;
  if (proxy.kind === 'Gateway') {
    const kind = proxyKindOf(model, proxy);
    return kind === undefined ? undefined : { proxy, kind, service };
  }
  return { proxy, kind: ProxyKind.WORKLOAD, service };
}

const LISTENER_CLASSES: Record<string, ListenerClass> = {
  gateway: ListenerClass.GATEWAY, 'sidecar-inbound': ListenerClass.SIDECAR_INBOUND, 'sidecar-outbound': ListenerClass.SIDECAR_OUTBOUND, undefined: ListenerClass.UNDEFINED,
};

function id(e: Entry): string {
  return `${e.namespace}/${e.name}`;
}

function synthWaypoint(opts: any): Answer {
  try {
    const ns = new AmbientNamespace(Testing.app(), 'ns', { name: 'ns' });
    ns.addWaypoint('Waypoint', {
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      ...(opts.trafficType !== undefined ? { trafficType: opts.trafficType as WaypointTraffic } : {}),
      ...(opts.revision !== undefined ? { revision: opts.revision } : {}),
      ...(opts.allowedNamespaces !== undefined ? { allowedNamespaces: opts.allowedNamespaces as WaypointNamespaces } : {}),
      enrollNamespace: false,
    });
    const gw = Testing.synth(ns).find((o: any) => o.kind === 'Gateway');
    return gw;
  } catch {
    return 'rejected';
  }
}

/** Answers a case's question with the library. */
export function answer(table: Table, c: Case): Answer {
  const objects = manifestsOf(table, c);
  const [question, ask] = Object.entries(c.ask)[0];
  const model = () => MeshModel.build(sourced(objects), c.options ?? {});
  switch (question) {
    case 'attach': {
      const m = model();
      const place = placeOf(m, ask);
      // a Gateway Istio does not run has no proxy, so nothing attaches
      if (!place) return false;
      return attaches(m, find(m, `${ask.pluginKind ?? 'WasmPlugin'} ${ask.plugin}`), place).attached;
    }
    case 'chain': {
      const m = model();
      const place = placeOf(m, ask);
      if (!place) return [];
      const type = ask.type === 'NETWORK' ? ChainType.NETWORK : ask.type === 'ANY' ? ChainType.ANY : ChainType.HTTP;
      const listener = { class: LISTENER_CLASSES[ask.listener?.class ?? 'undefined'], port: ask.listener?.port ?? 0 };
      return extensionsOnChain(m, place, { type, listener }, (e) => refusalOf(e) === undefined).ordered.map((x) => id(x.key.entry));
    }
    case 'binding': {
      const m = model();
      const b = resolveWaypoint(m, find(m, ask.object), ask.traffic ?? 'service');
      // istiod binds any Gateway that has an address: a non-waypoint one included
      if (b.waypoint) return id(b.waypoint);
      if (b.failure === BindingFailure.NOT_A_WAYPOINT && b.named) return id(b.named);
      return 'none';
    }
    case 'chains': {
      const m = model();
      return waypointChainsFor(m, find(m, ask.proxy), ask.service ? find(m, ask.service) : undefined, ask.port).chains;
    }
    case 'simulate': {
      const r = Simulator.from(sourced(objects), c.options ?? {}).simulate(ask);
      if (ask.header) return { status: r.status, [ask.header]: r.response?.headers?.[ask.header] };
      return r.status;
    }
    case 'request': {
      const plugin = { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'basic-auth', namespace: 'shop' },
        spec: { url: 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0', phase: 'AUTHN',
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }], ...(ask.config !== undefined ? { pluginConfig: ask.config } : {}) } };
      const headers: Array<[string, string]> = Object.entries(ask.headers ?? {}).map(([k, v]) => [k, String(v)]);
      if (ask.host !== undefined) headers.push(['Host', ask.host]);
      const r = Simulator.from(sourced([...objects, plugin])).simulate({ from: 'shop/client', method: ask.method ?? 'GET', url: `http://api${ask.path ?? '/'}`, headers });
      if (ask.header) return { status: r.status, [ask.header]: r.response?.headers?.[ask.header] };
      return r.status;
    }
    case 'module':
      return parseBasicAuthConfig(ask.config).config ? 'accepted' : 'rejected';
    case 'admission': {
      const m = model();
      const target = find(m, ask.object);
      const findings = analyzeObjects(sourced(objects), c.options ?? {})
        .filter((f) => f.kind === target.kind && f.name === target.name && f.namespace === target.namespace);
      return findings.some((f) => f.severity === Severity.ERROR && ADMISSION_CODES.has(f.code)) ? 'rejected' : 'accepted';
    }
    case 'reports': {
      const m = model();
      const target = find(m, ask.object);
      return analyzeObjects(sourced(objects), c.options ?? {})
        .some((f) => f.kind === target.kind && f.name === target.name && f.namespace === target.namespace && f.code === ask.code);
    }
    case 'conditions': {
      const m = model();
      const target = find(m, ask.object);
      return istioReasons(analyzeObjects(sourced(objects), c.options ?? {})
        .filter((f) => f.kind === target.kind && f.name === target.name && f.namespace === target.namespace));
    }
    case 'synth':
      return synthWaypoint(ask.waypoint ?? {});
    default:
      throw new Error(`${table.file}: case ${JSON.stringify(c.name)} asks ${JSON.stringify(question)}, which the runner does not know`);
  }
}

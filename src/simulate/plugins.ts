/**
 * The plugins of one proxy chain: which candidates attach (the model's predicate), which the listener's
 * `match` and `type` let through, their run order (SEMANTICS 5.1, 5.2) and what each does to the request.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { Place, ProxyKind } from '../model/attachment';
import { ChainCandidate, extensionsOnChain, listenerOf } from '../model/extensions';
import { AUTH_PHASES, ChainType, ExtensionBodyKind, ExtensionSource, extensionOf } from '../model/extension';
import { problemsText } from '../rules/finding';
import { isBasicAuthUrl } from '../rules/basic-auth';
import { refusalOf } from '../rules/wasm-plugin';
import { CompiledConfig, ModuleRequest, compileBasicAuth, runBasicAuth } from './basic-auth-module';
import { LocalResponse, PluginTrace } from './types';
import { FilterRequest, runLuaRequest } from './lua-filter';
import { readLuaSource } from '../rules/lua';

/** The filter chain a request takes at a proxy. */
export interface Chain {
  readonly place: Place;
  /** HTTP filters run for `http`; a `tcp` chain (a declared non-HTTP port) runs only NETWORK plugins. */
  readonly protocol: 'http' | 'tcp';
  /** The port `match[].ports` is compared with: the listener port at ingress, 0 on a waypoint's HTTP chains. */
  readonly listenerPort: number;
}

const BASIC_AUTH_VERSION = '1.12.0';

/** A WasmPlugin or TrafficExtension, read once. */
export interface PluginView {
  readonly entry: Entry;
  /** The name istiod sorts by: WasmPlugins become `<name>~istio-translated-wasmplugin` TrafficExtensions (1.30). */
  readonly sortName: string;
  readonly phase: string;
  readonly priority?: number;
  /** creationTimestamp in whole seconds, undefined when the manifest has none. */
  readonly created?: number;
  readonly type: 'HTTP' | 'NETWORK';
  readonly url?: string;
  /** `basic_auth` (modelled), `lua` or `wasm` (effect unknown). */
  readonly module: 'basic_auth' | 'lua' | 'wasm';
  /** Why the API server, Istio's webhook or istiod would refuse or drop the object, if they would. */
  readonly refused?: string;
  readonly basicAuth?: CompiledConfig;
  /** The Lua code, for a Lua TrafficExtension. */
  readonly luaCode?: string;
}

/** Reads a WasmPlugin or TrafficExtension into what the chain needs: the model's reading, and the rules' refusal. */
export function viewPlugin(entry: Entry): PluginView {
  const x = extensionOf(entry);
  const lua = x.bodyKind === ExtensionBodyKind.LUA;
  const base = {
    entry,
    sortName: x.sortName,
    phase: x.phase,
    priority: x.priority,
    created: x.created,
    type: x.chainType === ChainType.NETWORK ? 'NETWORK' as const : 'HTTP' as const,
    url: typeof x.wasm?.url === 'string' ? x.wasm.url as string : undefined,
  };
  const refused = refusalOf(entry);
  if (refused) return { ...base, module: lua ? 'lua' : 'wasm', refused };
  // not refused, a Lua body's code is a string of 1 to 65536 characters
  if (lua) return { ...base, module: 'lua', luaCode: x.luaCode as string };
  if (!isBasicAuthUrl(base.url)) return { ...base, module: 'wasm' };
  return { ...base, module: 'basic_auth', basicAuth: compileBasicAuth(x.wasm?.pluginConfig, x.sourceKind === ExtensionSource.TRAFFIC_EXTENSION ? 'spec.wasm.pluginConfig' : 'spec.pluginConfig') };
}

/** What one chain did to a request. */
export interface ChainOutcome {
  readonly traces: PluginTrace[];
  /** Set when a plugin answered (denied) or made the outcome undecidable. */
  readonly stop?: { readonly outcome: 'denied' | 'unknown'; readonly by: string; readonly detail: string; readonly response?: LocalResponse; readonly status?: number };
  /** The request after the chain's filters, when a Lua filter changed it. */
  readonly request?: FilterRequest;
  /** Lua filters of the chain that handle responses, in chain order (a response passes them in reverse, local replies too). */
  readonly responders: Array<{ readonly who: string; readonly code: string }>;
  /** Whether at least one Wasm plugin ran (for the module-fetch note). */
  readonly ran: boolean;
  /** Whether two plugins without creationTimestamp tied on everything else, so their names decided the order. */
  readonly tiedByName: boolean;
  /** Whether plugins of one phase mix set and unset priorities (unset sorts last, not as 0). */
  readonly unsetBesideSet: boolean;
  readonly notes: string[];
}

function orderKey(v: PluginView, ns: string): string {
  const prio = v.priority === undefined ? 'priority unset' : `priority ${v.priority}`;
  const created = v.created === undefined ? 'no creationTimestamp' : `created ${new Date(v.created * 1000).toISOString().replace('.000Z', 'Z')}`;
  return `${v.type === 'NETWORK' ? 'network filter, ' : ''}phase ${v.phase}, ${prio}, namespace ${ns}, ${created}, name ${JSON.stringify(v.sortName)}`;
}

/**
 * Runs the plugins of `chain` on `req`: the model picks and orders them (the proxy's namespace, the root, then
 * at a waypoint the Service's; attachment, type, match; phase, priority, namespace, creation, name), then each
 * acts. At an ingress gateway the network filters run before the HTTP ones; a waypoint's HTTP chains have none.
 */
export function runChain(model: MeshModel, chain: Chain, view: (e: Entry) => PluginView, req: ModuleRequest): ChainOutcome {
  const network = { type: ChainType.NETWORK, listener: listenerOf(chain.place, ChainType.NETWORK, chain.listenerPort) };
  const http = { type: ChainType.HTTP, listener: listenerOf(chain.place, ChainType.HTTP, chain.listenerPort) };
  const specs = chain.protocol === 'tcp' ? [network] : chain.place.kind === ProxyKind.INGRESS ? [network, http] : [http];
  const selections = specs.map((c) => extensionsOnChain(model, chain.place, c));
  const runnable: Array<{ v: PluginView; reason: string }> = [];
  const others: PluginTrace[] = [];
  const seen = new Set<Entry>();
  const traceBase = (c: ChainCandidate) => ({ plugin: `${c.key.entry.namespace}/${c.key.entry.name}`, kind: c.key.entry.kind, origin: c.key.entry.origin,
    attached: c.attach.attached, attachReason: c.attach.reason });
  for (const sel of selections) {
    for (const c of sel.ordered) {
      const v = view(c.key.entry);
      seen.add(c.key.entry);
      if (v.refused) others.push({ ...traceBase(c), outcome: 'not-in-force', detail: `not in force: ${v.refused}` });
      else runnable.push({ v, reason: c.attach.reason });
    }
  }
  // a candidate skipped by one selection may run in the other (network before HTTP): report each once
  for (const sel of selections) {
    for (const c of sel.skipped) {
      if (seen.has(c.key.entry)) continue;
      seen.add(c.key.entry);
      const refused = view(c.key.entry).refused;
      if (!c.attach.attached) others.push({ ...traceBase(c), outcome: 'not-attached', detail: c.attach.reason });
      else if (refused) others.push({ ...traceBase(c), outcome: 'not-in-force', detail: `not in force: ${refused}` });
      else others.push({ ...traceBase(c), outcome: 'filtered', detail: c.filtered! });
    }
  }
  const same = (a: PluginView, b: PluginView) => a.type === b.type && a.phase === b.phase;
  const tiedByName = runnable.some(({ v }, i) => i > 0 && same(v, runnable[i - 1].v) && v.priority === runnable[i - 1].v.priority
    && v.entry.namespace === runnable[i - 1].v.entry.namespace && v.created === undefined && runnable[i - 1].v.created === undefined);
  const unsetBesideSet = runnable.some(({ v }) => v.priority === undefined && runnable.some(({ v: w }) => same(v, w) && w.priority !== undefined));
  const traces: PluginTrace[] = [];
  const notes: string[] = [];
  let stop: ChainOutcome['stop'];
  let nacked: { by: string; detail: string } | undefined;
  // what the filters see: a Lua filter's changes reach every later filter (and, past the chain, the next hops)
  const sent = req.headers ?? (req.authorization !== undefined ? [['Authorization', req.authorization] as const] : []);
  let cur: FilterRequest = { method: req.method, authority: req.authority, path: req.path, headers: sent.map(([n, v]) => [n, v] as [string, string]) };
  let changed = false;
  const responders: ChainOutcome['responders'] = [];
  for (const { v } of runnable) {
    if (v.module === 'lua' && v.luaCode !== undefined && readLuaSource(v.luaCode).globalHandlers.includes('envoy_on_response')) {
      responders.push({ who: `${v.entry.kind} ${v.entry.namespace}/${v.entry.name}`, code: v.luaCode });
    }
  }
  runnable.forEach(({ v, reason }, i) => {
    const e = v.entry;
    const base = { plugin: `${e.namespace}/${e.name}`, kind: e.kind, origin: e.origin, attached: true, attachReason: reason, order: i + 1, orderKey: orderKey(v, e.namespace) };
    const who = `${e.kind} ${e.namespace}/${e.name}`;
    if (v.module === 'basic_auth' && v.basicAuth && 'rejected' in v.basicAuth) {
      // the module refuses the config: Envoy rejects the extension config (NACK), whatever runs before or after
      const detail = `the basic_auth module rejects this config (onConfigure fails, so Envoy refuses the extension config): ${problemsText(v.basicAuth.rejected)}; a running proxy keeps its previous listeners and a restarted one never becomes ready, so what this request gets is unknown`;
      traces.push({ ...base, outcome: 'unknown', detail });
      nacked = nacked ?? { by: who, detail };
      return;
    }
    const syntax = v.module === 'lua' && v.luaCode !== undefined ? readLuaSource(v.luaCode).syntaxError : undefined;
    if (syntax) {
      // Envoy loads the code when the configuration arrives and refuses the configuration on a load error
      const detail = `the Lua code does not parse (line ${syntax.line}, column ${syntax.column}: ${syntax.message}), so Envoy refuses the configuration that carries it; a running proxy keeps its previous listeners, so what this request gets is unknown`;
      traces.push({ ...base, outcome: 'unknown', detail });
      nacked = nacked ?? { by: who, detail };
      return;
    }
    if (stop) {
      traces.push({ ...base, outcome: 'not-reached', detail: `not reached: ${stop.by} answered first` });
      return;
    }
    if (v.module === 'lua' && v.luaCode !== undefined) {
      const effect = runLuaRequest(who, v.luaCode, cur);
      traces.push({ ...base, outcome: effect.outcome, detail: effect.detail });
      notes.push(...effect.notes);
      if (effect.request !== cur) { cur = effect.request; changed = true; }
      if (effect.outcome !== 'passed') stop = { outcome: effect.outcome, by: who, detail: effect.detail, response: effect.response, status: effect.status };
      return;
    }
    if (v.module === 'basic_auth' && v.type === 'HTTP' && v.basicAuth && 'program' in v.basicAuth) {
      if (v.url && !v.url.includes(`:${BASIC_AUTH_VERSION}`)) notes.push(`${who} runs ${v.url}; modelled as basic_auth ${BASIC_AUTH_VERSION}`);
      const auth = cur.headers.find(([n]) => n.toLowerCase() === 'authorization')?.[1];
      const verdict = runBasicAuth(v.basicAuth.program, changed ? { method: cur.method, authority: cur.authority, path: cur.path, authorization: auth } : req);
      traces.push({ ...base, outcome: verdict.outcome, detail: verdict.detail, rules: verdict.rules });
      if (verdict.outcome !== 'passed') stop = { outcome: verdict.outcome, by: who, detail: verdict.detail, response: verdict.response, status: verdict.outcome === 'denied' ? 401 : undefined };
      return;
    }
    const what = v.module === 'lua' ? 'Lua code' : v.module === 'basic_auth' ? 'the basic_auth module loaded as a network filter' : `module ${v.url}`;
    if (AUTH_PHASES.includes(v.phase)) {
      const detail = `runs ${what} in phase ${v.phase}, whose effect on the request cannot be known offline`;
      traces.push({ ...base, outcome: 'unknown', detail });
      stop = { outcome: 'unknown', by: who, detail };
      return;
    }
    traces.push({ ...base, outcome: 'passed', detail: `runs ${what} in phase ${v.phase}; its effect cannot be known offline, assumed to pass the request on` });
    notes.push(`${who} (${what}, phase ${v.phase}) was assumed to pass the request on`);
  });
  if (nacked) stop = { outcome: 'unknown', ...nacked };
  return { traces: [...traces, ...others], stop, ran: runnable.some(({ v }) => v.module !== 'lua'), tiedByName, unsetBesideSet, notes, responders, ...(changed ? { request: cur } : {}) };
}

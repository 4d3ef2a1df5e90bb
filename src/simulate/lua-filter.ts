/**
 * A Lua TrafficExtension as a filter of the simulated chain: the request as Envoy's Lua filter sees it (a
 * header map with `:authority`, `:path`, `:method`, `:scheme`), the handler run in the sandboxed runtime, and
 * what comes out: the request the next filters and hops see, a local reply (respond()), or `unknown`.
 * istiod builds the filter as `envoy.filters.http.lua` with the code as `default_source_code`
 * (pilot/pkg/networking/core/extension/lua.go, BuildHTTPLuaFilter), on HTTP chains only (extensions.go,
 * TrafficExtensionWrapper.MatchType; extensionfilter.go skips Lua on network chains).
 */
import { LuaRun, runLua } from './lua-runtime';
import { LocalResponse } from './types';

/** The request as the filters of one chain see it. */
export interface FilterRequest {
  readonly method: string;
  readonly authority: string;
  readonly path: string;
  /** Headers other than Host, as sent (names as written). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/**
 * Headers that reach a proxy's filters without the client writing them: curl's defaults and what Envoy's
 * connection manager adds (request id, forwarding and tracing headers). Their presence or value is not
 * simulated, so a script that reads one gets `unknown`, unless the request carries it.
 */
export const UNCERTAIN_REQUEST_HEADERS: readonly string[] = ['user-agent', 'accept', 'content-length', 'transfer-encoding', 'x-request-id',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-client-cert', 'forwarded', 'via',
  'x-envoy-external-address', 'x-envoy-internal', 'x-envoy-attempt-count', 'x-envoy-expected-rq-timeout-ms', 'x-envoy-original-path',
  'x-envoy-decorator-operation', 'x-envoy-peer-metadata', 'x-envoy-peer-metadata-id', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid',
  'x-b3-sampled', 'x-b3-flags', 'b3', 'traceparent', 'tracestate', 'baggage', 'x-ot-span-context', 'x-client-trace-id', 'x-cloud-trace-context',
  'grpc-trace-bin', 'x-envoy-original-dst-host', 'x-istio-attributes'];

/** Envoy's header map of a request: pseudo-headers first, then the headers, names lower-cased. */
export function requestHeaderMap(req: FilterRequest): Array<[string, string]> {
  return [[':authority', req.authority], [':path', req.path], [':method', req.method], [':scheme', 'http'],
    ...req.headers.filter(([n]) => n.toLowerCase() !== 'host').map(([n, v]): [string, string] => [n.toLowerCase(), v])];
}

/** What one Lua filter did to a request. */
export interface LuaRequestEffect {
  readonly outcome: 'passed' | 'denied' | 'unknown';
  readonly detail: string;
  /** The request after the filter (changed headers, path, method or authority). */
  readonly request: FilterRequest;
  readonly status?: number;
  readonly response?: LocalResponse;
  /** Facts worth a note (a script error, what it logged). */
  readonly notes: string[];
}

function changes(before: ReadonlyArray<readonly [string, string]>, after: ReadonlyArray<readonly [string, string]>): string {
  const key = ([k, v]: readonly [string, string]) => `${k}\u0000${v}`;
  const was = new Map<string, number>();
  for (const h of before) was.set(key(h), (was.get(key(h)) ?? 0) + 1);
  const added: string[] = [];
  for (const h of after) {
    const n = was.get(key(h)) ?? 0;
    if (n > 0) was.set(key(h), n - 1); else added.push(`${h[0]}: ${h[1]}`);
  }
  const removed = [...was.entries()].filter(([, n]) => n > 0).map(([k]) => k.split('\u0000').join(': '));
  const parts = [...(added.length > 0 ? [`sets ${added.join(', ')}`] : []), ...(removed.length > 0 ? [`drops ${removed.join(', ')}`] : [])];
  return parts.length > 0 ? parts.join('; ') : 'leaves the headers as they were';
}

function fromMap(map: ReadonlyArray<readonly [string, string]>, prev: FilterRequest): FilterRequest | string {
  const one = (k: string) => map.filter(([n]) => n === k);
  for (const p of [':authority', ':path', ':method']) {
    if (one(p).length !== 1) return `leaves ${one(p).length} values of ${p}, which Envoy's later filters and router do not take as a request`;
  }
  return {
    method: one(':method')[0][1], path: one(':path')[0][1], authority: one(':authority')[0][1],
    headers: [...prev.headers.filter(([n]) => n.toLowerCase() === 'host'), ...map.filter(([n]) => !n.startsWith(':')).map(([n, v]) => [n, v] as [string, string])],
  };
}

function scriptErrorNote(who: string, run: LuaRun): string {
  return `${who}: the Lua script raised "${run.message}"; Envoy logs the error and lets the request go on (the filter fails open), with the changes it made before the error`;
}

/** Runs `envoy_on_request` of one Lua filter on `req`. */
export function runLuaRequest(who: string, code: string, req: FilterRequest): LuaRequestEffect {
  const before = requestHeaderMap(req);
  const given = new Set(before.map(([n]) => n));
  const run = runLua({ code, direction: 'request', headers: before, uncertain: UNCERTAIN_REQUEST_HEADERS.filter((h) => !given.has(h)) });
  const logs = run.logs.length > 0 ? [`${who} logged: ${run.logs.join('; ')}`] : [];
  switch (run.outcome) {
    case 'no-handler':
      return { outcome: 'passed', detail: 'defines no envoy_on_request: nothing runs on the request', request: req, notes: [] };
    case 'respond': {
      const headers: Record<string, string> = {};
      for (const [k, v] of run.reply ?? []) if (k !== ':status') headers[k] = headers[k] !== undefined ? `${headers[k]},${v}` : v;
      const response: LocalResponse = { ...(run.body !== undefined ? { body: run.body } : {}), ...(Object.keys(headers).length > 0 ? { headers } : {}) };
      return { outcome: 'denied', status: run.status, detail: `envoy_on_request answers ${run.status} with respond(): no later filter runs`, request: req, response, notes: logs };
    }
    case 'error':
    case 'continue': {
      const next = fromMap(run.headers, req);
      if (typeof next === 'string') return { outcome: 'unknown', detail: `envoy_on_request ${next}`, request: req, notes: logs };
      const what = changes(before, run.headers);
      if (run.outcome === 'error') {
        return { outcome: 'passed', detail: `envoy_on_request raises an error (${run.message}); Envoy logs it and the request goes on; before the error it ${what}`, request: next,
          notes: [scriptErrorNote(who, run), ...logs] };
      }
      return { outcome: 'passed', detail: `envoy_on_request ${what}`, request: next, notes: logs };
    }
    case 'load-error':
      return { outcome: 'unknown', detail: `the code does not load (${run.message}): Envoy refuses the configuration that carries this filter and keeps the proxy's previous one, which the manifests do not show`,
        request: req, notes: [] };
    default:
      return { outcome: 'unknown', detail: `envoy_on_request cannot be simulated: ${run.reason}`, request: req, notes: logs };
  }
}

/** A response on its way back through the Lua filters of one proxy. */
export interface LuaResponseState {
  readonly status: number;
  /** The response's known headers (pseudo-header `:status` excluded). */
  readonly headers: Array<[string, string]>;
  /** Whether headers other than `headers` may be present (an application's response). */
  readonly openEnded: boolean;
}

/** What one filter's `envoy_on_response` did. */
export interface LuaResponseEffect {
  readonly state?: LuaResponseState;
  readonly detail: string;
  /** Set when the response cannot be known any more. */
  readonly unknown?: string;
  readonly notes: string[];
}

/** Runs `envoy_on_response` of one Lua filter on a response. */
export function runLuaResponse(who: string, code: string, state: LuaResponseState): LuaResponseEffect {
  const before: Array<[string, string]> = [[':status', String(state.status)], ...state.headers.map(([k, v]): [string, string] => [k.toLowerCase(), v])];
  const run = runLua({ code, direction: 'response', headers: before, allUncertain: state.openEnded });
  const logs = run.logs.length > 0 ? [`${who} logged: ${run.logs.join('; ')}`] : [];
  if (run.outcome === 'no-handler') return { state, detail: 'defines no envoy_on_response', notes: [] };
  if (run.outcome === 'unknown' || run.outcome === 'load-error') {
    const why = run.outcome === 'unknown' ? run.reason! : `the code does not load (${run.message})`;
    return { detail: `envoy_on_response cannot be simulated: ${why}`, unknown: `${who} on the response: ${why}`, notes: logs };
  }
  const statuses = run.headers.filter(([k]) => k === ':status');
  const status = statuses.length === 1 ? Number(statuses[0][1]) : NaN;
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    return { detail: 'envoy_on_response leaves :status unreadable', unknown: `${who} leaves the response's :status as ${JSON.stringify(statuses.map(([, v]) => v))}`, notes: logs };
  }
  const next: LuaResponseState = { status, headers: run.headers.filter(([k]) => k !== ':status'), openEnded: state.openEnded };
  const what = changes(before, run.headers);
  if (run.outcome === 'error') {
    return { state: next, detail: `envoy_on_response raises an error (${run.message}); Envoy logs it; before the error it ${what}`,
      notes: [`${who}: the Lua script raised "${run.message}" on the response; Envoy logs the error and sends the response on`, ...logs] };
  }
  return { state: next, detail: `envoy_on_response ${what}`, notes: logs };
}

/**
 * Runs the Lua code of a TrafficExtension for real, as Envoy's Lua filter would on one request or response,
 * inside a sandbox: a Lua VM (wasmoon: Lua 5.4 compiled to WebAssembly) in a worker thread, with no io, os,
 * require or code loading, a fixed instruction budget (counted, so the same script always stops at the same
 * point), a memory cap, and a wall-clock bound after which the worker is terminated. The simulator stays
 * synchronous: the caller blocks on Atomics.wait until the worker answers.
 *
 * Envoy runs LuaJIT (Lua 5.1 semantics); the prelude (`lua-prelude.ts`) gives the script LuaJIT's library
 * surface and number printing at the API boundary. What it cannot make equal, it reports as `unknown`.
 */
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'worker_threads';
import { LUA_PRELUDE } from './lua-prelude';

/** Instructions a script may run per job (counted in steps of {@link TICK}). */
export const MAX_INSTRUCTIONS = 2_000_000;
const TICK = 1000;
/** Bytes the Lua state may allocate. */
export const MAX_LUA_MEMORY = 16 * 1024 * 1024;
/** Wall-clock bound of one job once the VM is warm; the first job also starts the worker. */
const WARM_TIMEOUT_MS = 5000;
const COLD_TIMEOUT_MS = 30000;
const LIMIT = '\u0001simulator instruction limit\u0001';

/** One run of a Lua filter's handler. */
export interface LuaJob {
  readonly code: string;
  /** `request` runs envoy_on_request, `response` runs envoy_on_response. */
  readonly direction: 'request' | 'response';
  /** The header map the handler sees, pseudo-headers included, in order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Header names that may be present although not in `headers` (Envoy adds them): reading one is unknown. */
  readonly uncertain?: readonly string[];
  /** Whether any name absent from `headers` may be present (an application's response): reading one is unknown. */
  readonly allUncertain?: boolean;
}

/** What a run did. */
export interface LuaRun {
  /**
   * `continue`: the handler returned; `respond`: it answered with respond(); `error`: it raised an error
   * (Envoy logs it and lets the stream continue); `load-error`: the code does not load (Envoy refuses the
   * configuration); `no-handler`: the code defines no handler for this direction; `unknown`: see `reason`.
   */
  readonly outcome: 'continue' | 'respond' | 'error' | 'load-error' | 'no-handler' | 'unknown';
  /** The header map after the run (changes made before an error stay, as in Envoy). */
  readonly headers: Array<[string, string]>;
  readonly status?: number;
  /** respond()'s headers, sorted. */
  readonly reply?: Array<[string, string]>;
  readonly body?: string;
  /** The error text, for `error` and `load-error`. */
  readonly message?: string;
  /** Why the run cannot be decided, for `unknown`. */
  readonly reason?: string;
  /** What the script logged. */
  readonly logs: string[];
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const w = require(workerData.wasmoon);
const ready = new w.LuaFactory().getLuaModule();
const flag = new Int32Array(workerData.sab);
const port = workerData.port;
function run(mod, job) {
  const eng = new w.LuaEngine(mod, { openStandardLibs: false, traceAllocations: true, enableProxy: false });
  const g = eng.global;
  try {
    for (const l of ['_G', 'table', 'string', 'math', 'coroutine']) g.loadLibrary(l);
    let ticks = 0;
    const hook = mod.module.addFunction((L) => {
      if (++ticks > job.maxTicks) { mod.lua_pushstring(L, job.limit); mod.lua_error(L); }
    }, 'vii');
    mod.lua_sethook(g.address, hook, 8, job.tick);
    try {
      g.set('__JOB', job);
      g.setMemoryMax(job.memory);
      return eng.doStringSync(job.prelude);
    } finally {
      mod.lua_sethook(g.address, 0, 0, 0);
      mod.module.removeFunction(hook);
    }
  } finally {
    g.close();
  }
}
parentPort.on('message', (msg) => {
  const answer = (r) => { port.postMessage(r); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); };
  ready.then((mod) => {
    let r;
    try { r = run(mod, msg); } catch (e) { r = { outcome: 'internal', message: String((e && e.message) || e) }; }
    answer(r);
  }, (e) => answer({ outcome: 'internal', message: 'the Lua VM did not start: ' + String((e && e.message) || e) }));
});
`;

interface Channel {
  readonly worker: Worker;
  readonly flag: Int32Array;
  readonly port: MessagePort;
  warm: boolean;
}

let channel: Channel | undefined;
const cache = new Map<string, LuaRun>();

function open(): Channel {
  if (channel) return channel;
  const sab = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { sab, port: port2, wasmoon: require.resolve('wasmoon') },
    transferList: [port2],
    resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 },
  });
  // an idle worker must never keep the process alive
  worker.unref();
  port1.unref();
  worker.on('error', () => { if (channel?.worker === worker) channel = undefined; });
  worker.on('exit', () => { if (channel?.worker === worker) channel = undefined; });
  channel = { worker, flag: new Int32Array(sab), port: port1, warm: false };
  return channel;
}

function unknown(reason: string, headers: ReadonlyArray<readonly [string, string]>): LuaRun {
  return { outcome: 'unknown', reason, headers: headers.map(([k, v]) => [k, v]), logs: [] };
}

function pairsOf(list: unknown): Array<[string, string]> {
  return Array.isArray(list) ? list.filter((e) => Array.isArray(e) && e.length >= 2).map((e) => [String(e[0]), String(e[1])]) : [];
}

/** Words for why a run stopped undecided. */
function stopReason(r: any): string {
  switch (r.stop) {
    case 'unsupported': return `it uses ${r.reason}, which the simulator does not model`;
    case 'unknown-header': return `it reads header ${JSON.stringify(r.reason)}, which may be present but is not simulated (Envoy adds it, or the application's response carries it)`;
    case 'limit': return `it ran past ${MAX_INSTRUCTIONS} Lua instructions while ${r.reason} (a loop that does not end?); the simulator stops it there`;
    case 'memory': return `it allocated more than ${MAX_LUA_MEMORY / (1024 * 1024)} MiB while ${r.reason}; the simulator stops it there`;
    case 'global': return `the handler writes the global ${JSON.stringify(r.reason)}, which Envoy keeps across requests on a worker thread, so one request's outcome depends on earlier ones`;
    default: return 'the Lua run could not be decided';
  }
}

/**
 * Runs one handler. Synchronous; the first call starts the worker (a few hundred milliseconds). Identical jobs
 * are answered from a cache, so a batch of checks runs each distinct script and request once.
 */
export function runLua(job: LuaJob): LuaRun {
  const key = JSON.stringify([job.code, job.direction, job.headers, job.uncertain ?? [], job.allUncertain === true]);
  const hit = cache.get(key);
  if (hit) return hit;
  const run = runUncached(job);
  if (cache.size > 2000) cache.clear();
  cache.set(key, run);
  return run;
}

function runUncached(job: LuaJob): LuaRun {
  let ch: Channel;
  try {
    ch = open();
  } catch (e: any) {
    return unknown(`the Lua VM could not start (${String(e?.message ?? e)})`, job.headers);
  }
  Atomics.store(ch.flag, 0, 0);
  ch.worker.postMessage({
    code: job.code, direction: job.direction, headers: job.headers.map(([k, v]) => [k, v]), uncertain: [...(job.uncertain ?? [])],
    allUncertain: job.allUncertain === true, prelude: LUA_PRELUDE, maxTicks: MAX_INSTRUCTIONS / TICK, tick: TICK, memory: MAX_LUA_MEMORY, limit: LIMIT,
  });
  const timeout = ch.warm ? WARM_TIMEOUT_MS : COLD_TIMEOUT_MS;
  const waited = Atomics.wait(ch.flag, 0, 0, timeout);
  const msg = waited === 'timed-out' ? undefined : receiveMessageOnPort(ch.port);
  if (!msg) {
    // a C-level operation (a pattern match on a long string) can outlast the instruction budget: end the VM
    void ch.worker.terminate();
    channel = undefined;
    return unknown(`it did not finish within ${timeout / 1000} s (the simulator ends the Lua VM then)`, job.headers);
  }
  ch.warm = true;
  const r = msg.message as any;
  if (!r || typeof r !== 'object' || r.outcome === 'internal') {
    return unknown(`the Lua VM failed (${String(r?.message ?? 'no answer')})`, job.headers);
  }
  const headers = pairsOf(r.headers);
  const logs = Array.isArray(r.logs) ? r.logs.map(String) : [];
  if (r.outcome === 'unknown') return { outcome: 'unknown', reason: stopReason(r), headers, logs };
  if (r.outcome === 'error' && /number has no integer representation/.test(String(r.message))) {
    // Lua 5.4 refuses a fractional number where LuaJIT truncates it: the two runtimes part ways here
    return { outcome: 'unknown', reason: `Lua 5.4 raised "${String(r.message)}" where Envoy's LuaJIT would truncate the number and go on`, headers, logs };
  }
  return {
    outcome: r.outcome, headers, logs,
    ...(typeof r.status === 'number' ? { status: r.status } : {}),
    ...(r.reply !== undefined ? { reply: pairsOf(r.reply) } : {}),
    ...(typeof r.body === 'string' ? { body: r.body } : {}),
    ...(r.message !== undefined ? { message: String(r.message) } : {}),
  };
}

/** Ends the worker (tests; a process that simulated Lua exits without it, the worker is unref'd). */
export function closeLuaRuntime(): void {
  if (channel) void channel.worker.terminate();
  channel = undefined;
  cache.clear();
}

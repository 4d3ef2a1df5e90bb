/**
 * Reading and parsing many files on worker threads beside the calling thread, with the same result as one
 * thread: every file gets the {@link FileOutcome} `loadFile` gives it, in the order listed. The calling thread
 * stays synchronous: it takes chunks of files from a shared counter like the workers do, then waits on shared
 * memory for the chunks the workers took, and reads their results with `receiveMessageOnPort`.
 *
 * What can go wrong is handled by doing the work here instead: a worker that cannot start takes no chunk; one
 * that exits takes none again, and the chunks it took and did not deliver are done on this thread; a file whose
 * objects JSON cannot carry exactly (NaN, infinities, -0, a `__proto__` key) is read again on this thread.
 */
import * as path from 'path';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'worker_threads';
import { STAT_FIELDS } from './git-index';
import type { FileOutcome } from './load';
import { jsonExact } from '../model/json-exact';

export { jsonExact };

/** Files per chunk: small enough to share the work evenly, large enough to keep messages few. */
export const CHUNK_FILES = 64;

// shared slots
const NEXT = 0; // the next chunk to take
const DELIVERED = 1; // chunks the workers have posted
const SLOTS = 2; // then per worker: its heartbeat, and whether it has exited
/** A worker whose heartbeat stops this long is taken as gone; its chunks are done here. */
const STALL_MS = 60_000;

/** One file's outcome as a worker posts it: JSON for the objects, or `redo` when JSON would change them. */
export interface WireOutcome {
  readonly id?: string;
  readonly error?: FileOutcome['error'];
  readonly blank?: boolean;
  readonly documents?: number;
  readonly errors?: NonNullable<FileOutcome['parsed']>['errors'];
  readonly origins?: string[];
  readonly json?: string;
  readonly redo?: boolean;
  /** The text's sha256 and its bytes, in the hashed load only. */
  readonly hash?: string;
  readonly bytes?: number;
}

/** A worker's message: the outcomes of one chunk. */
export interface WireChunk {
  readonly chunk: number;
  readonly outcomes: WireOutcome[];
}

/** A file's outcome for the wire. */
export function toWire(o: FileOutcome): WireOutcome {
  if (!o.parsed) return { id: o.id, error: o.error };
  const manifests = o.parsed.objects.map((x) => x.manifest);
  if (!manifests.every(jsonExact)) return { redo: true };
  return {
    id: o.id, blank: o.blank, documents: o.parsed.documents, errors: o.parsed.errors,
    origins: o.parsed.objects.map((x) => x.origin), json: JSON.stringify(manifests),
    ...(o.hash !== undefined ? { hash: o.hash, bytes: o.bytes } : {}),
  };
}

function fromWire(w: WireOutcome): FileOutcome {
  if (w.json === undefined) return { id: w.id, error: w.error };
  const manifests: any[] = JSON.parse(w.json);
  const origins = w.origins!;
  return {
    id: w.id, blank: w.blank,
    parsed: { objects: manifests.map((manifest, i) => ({ manifest, origin: origins[i] })), errors: w.errors!, documents: w.documents! },
    ...(w.hash !== undefined ? { hash: w.hash, bytes: w.bytes } : {}),
  };
}

/** For tests: make the workers do every chunk, or start another worker file. */
export interface ParallelTestOptions {
  readonly leaveChunksToWorkers?: boolean;
  readonly workerFile?: string;
}

interface Started {
  readonly worker: Worker;
  readonly port: MessagePort;
}

/** The worker's file beside this one, run the way this one runs (compiled, or TypeScript through ts-node). */
function startWorker(files: readonly string[], maxFileBytes: number | undefined, shared: SharedArrayBuffer, index: number, mode: string, workerFile?: string,
  results?: SharedArrayBuffer): Started | undefined {
  const ext = path.extname(__filename);
  const file = workerFile ?? path.join(__dirname, `parallel-worker${ext}`);
  const { port1, port2 } = new MessageChannel();
  try {
    const worker = new Worker(file, {
      workerData: { files, maxFileBytes, shared, index, mode, port: port2, results },
      transferList: [port2],
      // from sources (tests): sucrase strips the types in a fraction of ts-node's start-up
      execArgv: ext === '.ts' ? ['--require', 'sucrase/register/ts'] : [],
      stdout: false,
      stderr: true,
    });
    // a worker that fails to start, or later, reports through shared memory; never through an unhandled event
    worker.on('error', () => undefined);
    worker.unref();
    port1.unref();
    return { worker, port: port1 };
  } catch {
    port1.close();
    return undefined;
  }
}

/**
 * `load(file)` for every file, shared with `threads` worker threads (which run the same function); undefined
 * when no worker thread can be made (the caller then reads on its own).
 */
export function loadInParallel(files: readonly string[], maxFileBytes: number | undefined, threads: number,
  load: (file: string, maxFileBytes?: number) => FileOutcome = require('./load').loadFile, test: ParallelTestOptions = {},
  hashed = false): FileOutcome[] | undefined {
  // hashed: the workers run loadFileHashed (and `load` here should be it too, for the files redone on this thread)
  return runInParallel<FileOutcome>(files, maxFileBytes, threads, hashed ? 'loadHashed' : 'load', load, (w) => fromWire(w as WireOutcome), (w) => (w as WireOutcome).redo === true, test);
}

/** What hashing a file gives: its identity and the sha256 of its text, or why it cannot be read. */
export interface FileHash {
  readonly id?: string;
  readonly hash?: string;
  /** The bytes hashed. */
  readonly bytes?: number;
  readonly error?: FileOutcome['error'];
}

/** `hash(file)` for every file, shared with worker threads (see {@link loadInParallel}); undefined without workers. */
export function hashInParallel(files: readonly string[], maxFileBytes: number | undefined, threads: number,
  hash: (file: string, maxFileBytes?: number) => FileHash = require('./load').hashFile): FileHash[] | undefined {
  return runInParallel<FileHash>(files, maxFileBytes, threads, 'hash', hash, (w) => w as FileHash, () => false, {});
}

/**
 * {@link statAsGit} for every file into `out` ({@link STAT_FIELDS} numbers a file), shared with worker threads,
 * which write straight into it: no message per file, no array per file. Begun here: the worker threads start, and
 * take chunks as soon as they run, while the calling thread does something else; calling the function returned
 * does the rest on this thread too and waits for the workers. Undefined without workers.
 */
export function startStatInParallel(files: readonly string[], threads: number, out: Float64Array,
  stat: (file: string, out: Float64Array, at: number) => void = require('./git-index').statAsGit): (() => void) | undefined {
  if (!(out.buffer instanceof SharedArrayBuffer)) return undefined;
  // a worker's chunk comes with no outcomes, only that it is done: the numbers are in `out` already
  const workerFile = path.join(__dirname, `stat-worker${path.extname(__filename)}`);
  const run = startRun(files, undefined, threads, 'stat', { workerFile }, out.buffer);
  if (!run) return undefined;
  return () => {
    finishRun<number>(run, (f, _m, i) => { stat(f, out, i! * STAT_FIELDS); return 0; }, () => 0, () => false, {});
  };
}

function runInParallel<T>(files: readonly string[], maxFileBytes: number | undefined, threads: number, mode: RunMode,
  load: (file: string, maxFileBytes?: number, at?: number) => T, decode: (wire: unknown) => T, redo: (wire: unknown) => boolean, test: ParallelTestOptions,
  results?: SharedArrayBuffer): T[] | undefined {
  const run = startRun(files, maxFileBytes, threads, mode, test, results);
  return run ? finishRun(run, load, decode, redo, test) : undefined;
}

type RunMode = 'load' | 'loadHashed' | 'hash' | 'stat';

/** Worker threads started on one list of files: they take chunks from the shared counter as soon as they run. */
interface StartedRun {
  readonly files: readonly string[];
  readonly maxFileBytes: number | undefined;
  readonly state: Int32Array;
  readonly workers: Started[];
}

function startRun(files: readonly string[], maxFileBytes: number | undefined, threads: number, mode: RunMode, test: ParallelTestOptions,
  results?: SharedArrayBuffer): StartedRun | undefined {
  const shared = new SharedArrayBuffer((SLOTS + 2 * threads) * Int32Array.BYTES_PER_ELEMENT);
  const state = new Int32Array(shared);
  const workers: Started[] = [];
  for (let i = 0; i < threads; i++) {
    const w = startWorker(files, maxFileBytes, shared, i, mode, test.workerFile, results);
    if (w) workers.push(w);
  }
  return workers.length === 0 ? undefined : { files, maxFileBytes, state, workers };
}

/** The calling thread's part of a run: the chunks left, then the workers' results, in order. */
function finishRun<T>(run: StartedRun, load: (file: string, maxFileBytes?: number, at?: number) => T, decode: (wire: unknown) => T,
  redo: (wire: unknown) => boolean, test: ParallelTestOptions): T[] {
  const { files, maxFileBytes, state, workers } = run;
  const chunks = Math.ceil(files.length / CHUNK_FILES);
  const out = new Array<T | undefined>(files.length);
  const done = new Uint8Array(chunks);
  let doneCount = 0;
  const runChunk = (c: number): void => {
    for (let i = c * CHUNK_FILES; i < Math.min(files.length, (c + 1) * CHUNK_FILES); i++) out[i] = load(files[i], maxFileBytes, i);
    done[c] = 1;
    doneCount++;
  };
  const drain = (): void => {
    for (const w of workers) {
      for (let m = receiveMessageOnPort(w.port); m; m = receiveMessageOnPort(w.port)) {
        const { chunk, outcomes } = m.message as { chunk: number; outcomes: unknown[] };
        if (done[chunk]) continue;
        const first = chunk * CHUNK_FILES;
        outcomes.forEach((o, k) => {
          out[first + k] = redo(o) ? load(files[first + k], maxFileBytes, first + k) : decode(o);
        });
        done[chunk] = 1;
        doneCount++;
      }
    }
  };
  try {
    if (test.leaveChunksToWorkers !== true) {
      for (let c = Atomics.add(state, NEXT, 1); c < chunks; c = Atomics.add(state, NEXT, 1)) {
        runChunk(c);
        drain();
      }
    }
    // the rest were taken by workers: wait for them, watching that each is still alive
    const beats = workers.map((_, i) => Atomics.load(state, SLOTS + 2 * i));
    const lastSign = workers.map(() => Date.now());
    for (;;) {
      drain();
      if (doneCount === chunks) break;
      const delivered = Atomics.load(state, DELIVERED);
      Atomics.wait(state, DELIVERED, delivered, 100);
      let alive = 0;
      workers.forEach((_, i) => {
        const beat = Atomics.load(state, SLOTS + 2 * i);
        if (beat !== beats[i]) {
          beats[i] = beat;
          lastSign[i] = Date.now();
        }
        const exited = Atomics.load(state, SLOTS + 2 * i + 1) === 1;
        if (!exited && Date.now() - lastSign[i] < STALL_MS) alive++;
      });
      if (alive === 0) {
        // every worker has gone (or stopped): what they took and did not deliver is done here
        drain();
        for (let c = 0; c < chunks; c++) if (!done[c]) runChunk(c);
        break;
      }
    }
  } finally {
    for (const w of workers) {
      void w.worker.terminate();
      w.port.close();
    }
  }
  return out as T[];
}

/** The worker's side: take chunks until none is left, post each chunk's outcomes. */
export function workerLoop(data: { files: string[]; maxFileBytes?: number; shared: SharedArrayBuffer; index: number; mode: string; port: MessagePort; results?: SharedArrayBuffer },
  load: (file: string, maxFileBytes?: number) => FileOutcome, hash: (file: string, maxFileBytes?: number) => FileHash,
  loadHashed: (file: string, maxFileBytes?: number) => FileOutcome = load,
  stat?: (file: string, out: Float64Array, at: number) => void): void {
  const state = new Int32Array(data.shared);
  const beat = SLOTS + 2 * data.index;
  const exited = beat + 1;
  process.on('exit', () => {
    Atomics.store(state, exited, 1);
    Atomics.notify(state, DELIVERED);
  });
  const stats = data.mode === 'stat' && data.results && stat ? new Float64Array(data.results) : undefined;
  try {
    if (data.mode === 'stat' && !stats) return; // nothing to stat with: the calling thread does it all
    const chunks = Math.ceil(data.files.length / CHUNK_FILES);
    for (let c = Atomics.add(state, NEXT, 1); c < chunks; c = Atomics.add(state, NEXT, 1)) {
      const outcomes: unknown[] = [];
      for (let i = c * CHUNK_FILES; i < Math.min(data.files.length, (c + 1) * CHUNK_FILES); i++) {
        const file = data.files[i];
        if (stats) {
          stat!(file, stats, i * STAT_FIELDS); // into shared memory: the chunk's message only says it is done
        } else {
          outcomes.push(data.mode === 'hash' ? hash(file, data.maxFileBytes) : toWire((data.mode === 'loadHashed' ? loadHashed : load)(file, data.maxFileBytes)));
        }
        Atomics.add(state, beat, 1);
      }
      data.port.postMessage({ chunk: c, outcomes });
      Atomics.add(state, DELIVERED, 1);
      Atomics.notify(state, DELIVERED);
    }
  } finally {
    Atomics.store(state, exited, 1);
    Atomics.notify(state, DELIVERED);
    data.port.close();
  }
}

/**
 * Brings an output folder to exactly a set of files, touching as little as possible: a file whose content
 * is unchanged is not rewritten (its mtime stays), a stale file the library owns is removed, and folders it
 * leaves empty go too. Files the library does not produce (a README in dist/) are never removed.
 *
 * At thousands of namespaces the writes (tens of thousands of files) run on a worker thread while the main
 * thread is still turning objects into YAML; `synth()` stays synchronous by waiting on shared memory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';

/** What one write did, in files. */
export interface WriteCounts {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

/** Which existing files the writer may remove when they are no longer produced. */
export interface Ownership {
  /** File names ending so (e.g. `.k8s.yaml`). */
  readonly extension: string;
  /** Exact file names (e.g. `kustomization.yaml`). */
  readonly names: readonly string[];
}

interface FolderSync {
  put(rel: string, content: string): void;
  finish(): WriteCounts;
}

/**
 * The folder sync itself. Self-contained (it uses only its arguments), because the worker runs it from its
 * source text: keep it free of imports and of syntax TypeScript would compile into helpers.
 */
function folderSync(fsm: typeof fs, pathm: typeof path, outdir: string, own: Ownership): FolderSync {
  const existing = new Set<string>();
  const dirs: string[] = [];
  const list = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fsm.readdirSync(pathm.join(outdir, rel), { withFileTypes: true });
    } catch (e: any) {
      if (e && e.code === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) {
      const child = rel === '' ? e.name : pathm.join(rel, e.name);
      if (e.isDirectory()) {
        if (e.name.startsWith('.')) continue; // never descend into .git or editor folders
        dirs.push(child);
        list(child);
      } else if (e.isFile()) {
        existing.add(child);
      }
    }
  };
  list('');
  const made = new Set<string>();
  let written = 0;
  let unchanged = 0;
  return {
    put(rel: string, content: string): void {
      const full = pathm.join(outdir, rel);
      if (existing.has(rel)) {
        existing.delete(rel);
        if (fsm.readFileSync(full, 'utf8') === content) {
          unchanged++;
          return;
        }
      } else {
        const dir = pathm.dirname(full);
        if (!made.has(dir)) {
          fsm.mkdirSync(dir, { recursive: true });
          made.add(dir);
        }
      }
      fsm.writeFileSync(full, content);
      written++;
    },
    finish(): WriteCounts {
      let removed = 0;
      for (const rel of existing) {
        const name = pathm.basename(rel);
        if (!name.endsWith(own.extension) && !own.names.includes(name)) continue;
        fsm.rmSync(pathm.join(outdir, rel));
        removed++;
      }
      // deepest first, so a folder emptied by removing its subfolders goes too
      for (const dir of dirs.sort((a, b) => b.length - a.length)) {
        const full = pathm.join(outdir, dir);
        if (fsm.readdirSync(full).length === 0) fsm.rmdirSync(full);
      }
      return { written, unchanged, removed };
    },
  };
}

/** Writes `files` (relative path → content) under `outdir` on the calling thread. */
export function syncFolder(outdir: string, files: ReadonlyMap<string, string>, own: Ownership): WriteCounts {
  const sync = folderSync(fs, path, outdir, own);
  for (const [rel, content] of files) sync.put(rel, content);
  return sync.finish();
}

// shared state between the threads: [done, written, unchanged, removed, error length]
const DONE = 0;
const ERROR_LENGTH = 4;
const BATCH = 512;

/** The worker's message loop around `folderSync`, run from its source text. */
function workerMain(sync: typeof folderSync): void {
  const { parentPort, workerData } = require('worker_threads');
  const state = new Int32Array(workerData.state);
  const error = new Uint8Array(workerData.error);
  const done = (counts: WriteCounts | undefined, failure?: unknown): void => {
    if (counts) {
      state[1] = counts.written;
      state[2] = counts.unchanged;
      state[3] = counts.removed;
    } else {
      const bytes = Buffer.from(String((failure as any)?.message ?? failure).split('\n')[0]).subarray(0, error.length);
      error.set(bytes);
      state[4] = bytes.length;
    }
    Atomics.store(state, 0, 1);
    Atomics.notify(state, 0);
  };
  let s: FolderSync | undefined;
  try {
    s = sync(require('fs'), require('path'), workerData.outdir, workerData.own);
  } catch (e) {
    done(undefined, e);
  }
  parentPort.on('message', (m: Array<[string, string]> | 'end') => {
    if (!s || Atomics.load(state, 0) === 1) return;
    try {
      if (m === 'end') done(s.finish());
      else for (const [rel, content] of m) s.put(rel, content);
    } catch (e) {
      done(undefined, e);
    }
  });
}

/**
 * A folder sync whose file operations run on a worker thread: start it early (it lists the folder meanwhile),
 * `put` files as they are produced, then `finish` (blocks until written) or `abort` (writes nothing).
 * Falls back to the calling thread where worker threads cannot start.
 */
export class FolderWriter {
  private readonly state = new Int32Array(new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT));
  private readonly error = new Uint8Array(new SharedArrayBuffer(1024));
  private readonly worker?: Worker;
  /** The in-thread sync, when no worker could start. */
  private local?: FolderSync;
  private readonly own: Ownership;
  private readonly outdir: string;
  private pending: Array<[string, string]> = [];
  private started = false;

  constructor(outdir: string, own: Ownership) {
    this.outdir = outdir;
    this.own = own;
    try {
      this.worker = new Worker(`(${workerMain.toString()})(${folderSync.toString()})`, {
        eval: true,
        workerData: { state: this.state.buffer, error: this.error.buffer, outdir, own },
      });
      // the process may exit while the worker idles; finish() and abort() end it anyway
      this.worker.unref();
    } catch {
      // no worker threads here: put() and finish() do the work on this thread
    }
  }

  /** Queues one file; nothing touches the folder before the first call. */
  public put(rel: string, content: string): void {
    this.started = true;
    if (!this.worker) {
      this.local ??= folderSync(fs, path, this.outdir, this.own);
      this.local.put(rel, content);
      return;
    }
    this.pending.push([rel, content]);
    if (this.pending.length >= BATCH) this.flush();
  }

  /** Removes stale files, waits until every file is written, and says what changed. */
  public finish(): WriteCounts {
    if (!this.worker) {
      this.local ??= folderSync(fs, path, this.outdir, this.own);
      return this.local.finish();
    }
    this.flush();
    this.worker.postMessage('end');
    // synth() is synchronous: block this thread until the worker says it is done
    while (Atomics.load(this.state, DONE) === 0) Atomics.wait(this.state, DONE, 0, 1000);
    void this.worker.terminate();
    const failed = this.state[ERROR_LENGTH];
    if (failed > 0) {
      throw new Error(`GitOpsApp: writing ${this.outdir} failed: ${Buffer.from(this.error.subarray(0, failed)).toString('utf8')}`);
    }
    return { written: this.state[1], unchanged: this.state[2], removed: this.state[3] };
  }

  /** Ends the writer without touching the folder (synthesis failed before any file was put). */
  public abort(): void {
    if (this.started) throw new Error('GitOpsApp: cannot abort a write that has started');
    void this.worker?.terminate();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.worker!.postMessage(this.pending);
    this.pending = [];
  }
}

/**
 * Making a folder and the folders above it that are missing (`mkdir -p`), without `fs.mkdirSync`'s `recursive`
 * mode: in Node 20 that never returns where `mkdir` says ENOENT below a folder that exists (any path in /proc, for
 * one), spinning on the calling thread. Here each missing folder is made in turn, from the nearest one that exists
 * down, so such a path is an error, never a loop.
 *
 * Self-contained (it uses only its arguments): the GitOps writer's thread runs it from its source text.
 */
import type * as fs from 'fs';
import type * as path from 'path';

/** The file system calls {@link makeFolders} makes. */
export type FoldersFs = Pick<typeof fs, 'lstatSync' | 'mkdirSync'>;

/**
 * Makes `dir` and every missing folder above it; one that exists (a folder, or a link to one) is left as it is.
 * Throws what `mkdir` throws (ENOTDIR where a file is in the way, ENOENT, EACCES, EROFS, ...), as `recursive` does.
 */
export function makeFolders(dir: string, fsm: FoldersFs, pathm: typeof path): void {
  const missing: string[] = [];
  for (let d = pathm.resolve(dir); ; d = pathm.dirname(d)) {
    let exists = true;
    try {
      fsm.lstatSync(d);
    } catch (e: any) {
      if (!e || e.code !== 'ENOENT') throw e;
      exists = false;
    }
    if (exists) break;
    missing.push(d);
    if (pathm.dirname(d) === d) break; // the root itself is missing: mkdir says why
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      fsm.mkdirSync(missing[i]);
    } catch (e: any) {
      // made meanwhile by someone else (two runs at once): what is there is looked at when it is used
      if (!e || e.code !== 'EEXIST') throw e;
    }
  }
}

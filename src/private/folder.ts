// whether a folder that does not exist yet can be made where it is asked for. node's recursive mkdir never returns
// under /proc: procfs answers ENOENT for a new child, which node reads as "make the parent first" and retries for
// ever (a spin at full CPU, in the calling thread). so such a path is refused before anything tries to make it.
import * as fs from 'fs';
import * as path from 'path';

/** statfs f_type of procfs (linux/magic.h PROC_SUPER_MAGIC). */
const PROC_SUPER_MAGIC = 0x9fa0;

/**
 * Why the missing folder `dir` cannot be made, or undefined when it exists or can be tried: its nearest existing
 * ancestor is no folder, or is on procfs.
 */
export function folderCannotBeMade(dir: string): string | undefined {
  const wanted = path.resolve(dir);
  let at = wanted;
  let st = fs.statSync(at, { throwIfNoEntry: false });
  if (st) return undefined;
  while (!st) {
    const up = path.dirname(at);
    if (up === at) return undefined;
    at = up;
    st = fs.statSync(at, { throwIfNoEntry: false });
  }
  if (!st.isDirectory()) return `cannot be made: ${at} is not a folder`;
  // statfsSync is node 18.15 and later; without it the check is skipped
  const statfs = (fs as { statfsSync?: (p: string) => { type: number | bigint } }).statfsSync;
  if (statfs && Number(statfs(at).type) === PROC_SUPER_MAGIC) return `cannot be made under ${at}: procfs (/proc) takes no new folders`;
  return undefined;
}

/**
 * Opening a file that must be a regular one (a cache's files, git's index), in one place: a pipe, a device or a
 * folder put where the file should be is never read.
 */
import * as fs from 'fs';

/**
 * A file opened for reading, or undefined when it is missing or not a regular file: opened without blocking, so a
 * pipe put in its place cannot hang the run (its read would wait for a writer forever). With `noFollow`, a
 * symbolic link is not followed either (a file of the cache is never one; git's index may be, as git allows).
 * The caller closes it.
 */
export function openRegular(file: string, noFollow = false): number | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (noFollow ? fs.constants.O_NOFOLLOW ?? 0 : 0));
  } catch {
    return undefined;
  }
  try {
    if (fs.fstatSync(fd).isFile()) return fd;
  } catch {
    // unreadable: as missing
  }
  fs.closeSync(fd);
  return undefined;
}

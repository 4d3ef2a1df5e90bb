/**
 * Brings an output folder to exactly a set of files, touching as little as possible: a file whose content
 * is unchanged is not rewritten (its mtime stays), a stale file the library owns is removed, and folders it
 * leaves empty go too. Files the library does not produce (a README in dist/) are never removed.
 */
import * as fs from 'fs';
import * as path from 'path';

/** What one write did, in files. */
export interface WriteCounts {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

/**
 * Writes `files` (relative path → content) under `outdir`. `owned(name)` tells which existing file names
 * the producer owns, i.e. may remove when they are no longer produced.
 */
export function syncFolder(outdir: string, files: ReadonlyMap<string, string>, owned: (fileName: string) => boolean): WriteCounts {
  const existing = new Set<string>();
  const dirs: string[] = [];
  listFiles(outdir, '', existing, dirs);

  let written = 0;
  let unchanged = 0;
  let removed = 0;
  const made = new Set<string>();
  for (const [rel, content] of files) {
    const full = path.join(outdir, rel);
    if (existing.has(rel)) {
      existing.delete(rel);
      if (fs.readFileSync(full, 'utf8') === content) {
        unchanged++;
        continue;
      }
    } else {
      const dir = path.dirname(full);
      if (!made.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
    }
    fs.writeFileSync(full, content);
    written++;
  }
  for (const rel of existing) {
    if (!owned(path.basename(rel))) continue;
    fs.rmSync(path.join(outdir, rel));
    removed++;
  }
  // deepest first, so a folder emptied by removing its subfolders goes too
  for (const dir of dirs.sort((a, b) => b.length - a.length)) {
    const full = path.join(outdir, dir);
    if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
  }
  return { written, unchanged, removed };
}

function listFiles(root: string, rel: string, files: Set<string>, dirs: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch (e: any) {
    if (e?.code === 'ENOENT') return;
    throw e;
  }
  for (const e of entries) {
    const child = rel === '' ? e.name : path.join(rel, e.name);
    if (e.isDirectory()) {
      if (e.name.startsWith('.')) continue; // never descend into .git or editor folders
      dirs.push(child);
      listFiles(root, child, files, dirs);
    } else if (e.isFile()) {
      files.add(child);
    }
  }
}

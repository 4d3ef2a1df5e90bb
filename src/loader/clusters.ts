/**
 * The fleet layout on disk: a file under a folder `clusters/<name>/` belongs to cluster `<name>`, and each
 * cluster's mesh is its own. `analyze` and `simulate` use this to build one model per cluster, never one across
 * clusters. Files outside every cluster folder (a fleet's `argocd/`, any single-cluster tree) are one group.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SourcedManifest } from '../model/manifest';

/** The folder that holds a fleet's cluster trees (`GitOpsApp` with clusters writes `clusters/<name>/<app>/`). */
export const CLUSTERS_DIR = 'clusters';

/** The objects of one cluster, or of the files outside every cluster folder. */
export interface ClusterGroup {
  /** The cluster's name; undefined for the files outside every cluster folder. */
  readonly cluster?: string;
  /** The cluster folder, absolute; undefined outside every cluster folder. */
  readonly folder?: string;
  readonly objects: SourcedManifest[];
}

/**
 * The cluster folder a file is in, judged from the input path it was found under (`roots`, as given to the
 * loader): the first `clusters/<name>/` of the file's path below that input path's parent folder that still
 * has something below `<name>` (so a namespace folder that happens to be called `clusters` is not taken for
 * one, nor a folder of that name above the input), or undefined.
 */
export function clusterOfFile(file: string, roots: readonly string[]): { readonly name: string; readonly folder: string } | undefined {
  const abs = path.resolve(file);
  let root: string | undefined;
  for (const r of roots) {
    const ra = path.resolve(r);
    if ((abs === ra || abs.startsWith(ra.endsWith(path.sep) ? ra : ra + path.sep)) && (root === undefined || ra.length > root.length)) root = ra;
  }
  const base = root === undefined ? path.dirname(abs) : path.dirname(root);
  const parts = path.relative(base, abs).split(path.sep);
  for (let i = 0; i + 2 < parts.length; i++) {
    if (parts[i] === CLUSTERS_DIR) return { name: parts[i + 1], folder: path.join(base, ...parts.slice(0, i + 2)) };
  }
  return undefined;
}

// `file:line` or `file:line#items[i]`, as the loader writes origins
const ORIGIN = /^(.*):\d+(?:#items\[\d+\])?$/;

/** The file an origin names (the origin itself when it is no `file:line`, e.g. a construct path). */
export function fileOfOrigin(origin: string): string {
  const m = ORIGIN.exec(origin);
  return m ? m[1] : origin;
}

/**
 * Splits loaded objects by cluster (`roots`: the paths they were loaded from): first the objects outside every
 * cluster folder (if any), then one group per cluster folder, by name. Objects keep their order within a group.
 */
export function groupByCluster(objects: readonly SourcedManifest[], roots: readonly string[]): ClusterGroup[] {
  const outside: SourcedManifest[] = [];
  const byFolder = new Map<string, { name: string; objects: SourcedManifest[] }>();
  const seen = new Map<string, ReturnType<typeof clusterOfFile>>();
  // a file finds a cluster only through a "clusters" part of its path or of an input path's: without any, none
  const anyRoot = roots.some((r) => path.resolve(r).includes(CLUSTERS_DIR));
  let lastFile: string | undefined;
  let last: ReturnType<typeof clusterOfFile>;
  for (const o of objects) {
    const file = fileOfOrigin(o.origin);
    let c: ReturnType<typeof clusterOfFile>;
    if (file === lastFile) c = last; // the objects of one file come together
    else if (!anyRoot && !file.includes(CLUSTERS_DIR)) c = undefined;
    else if (seen.has(file)) c = seen.get(file);
    else {
      c = clusterOfFile(file, roots);
      seen.set(file, c);
    }
    lastFile = file;
    last = c;
    if (!c) {
      outside.push(o);
      continue;
    }
    const group = byFolder.get(c.folder);
    if (group) group.objects.push(o); else byFolder.set(c.folder, { name: c.name, objects: [o] });
  }
  const clusters = [...byFolder].map(([folder, g]) => ({ cluster: g.name, folder, objects: g.objects }))
    .sort((a, b) => cmp(a.cluster, b.cluster) || cmp(a.folder, b.folder));
  return [...(outside.length > 0 ? [{ objects: outside }] : []), ...clusters];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The clusters of a fleet tree at `p` (`p/clusters/*`, or `p/*` when `p` is the clusters folder), sorted. */
export function clustersIn(p: string): string[] {
  const dir = path.basename(path.resolve(p)) === CLUSTERS_DIR && !isDir(path.join(p, CLUSTERS_DIR)) ? p : path.join(p, CLUSTERS_DIR);
  if (!isDir(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

/**
 * The folder of cluster `name` under each path (`<path>/clusters/<name>`; `<path>/<name>` when the path is the
 * clusters folder; the path itself when it is that cluster's folder). Throws one line naming the path, the
 * clusters it has and the fix, when a path holds no such cluster.
 */
export function clusterPaths(paths: readonly string[], name: string): string[] {
  if (name === '' || name.includes('/') || name.includes(path.sep) || name === '.' || name === '..') {
    throw new Error(`--cluster: must be the name of one cluster folder (got ${JSON.stringify(name)}); pass a name such as "prod"`);
  }
  return paths.map((p) => {
    const abs = path.resolve(p);
    if (path.basename(abs) === name && path.basename(path.dirname(abs)) === CLUSTERS_DIR && isDir(p)) return p;
    const candidates = [path.join(p, CLUSTERS_DIR, name), ...(path.basename(abs) === CLUSTERS_DIR ? [path.join(p, name)] : [])];
    const found = candidates.find(isDir);
    if (found) return found;
    const there = clustersIn(p);
    const has = there.length > 0 ? `its clusters: ${there.join(', ')}` : `it has no ${CLUSTERS_DIR}/ folder`;
    throw new Error(`--cluster: ${p} holds no cluster ${JSON.stringify(name)} (${has}); pass one of its clusters, or leave --cluster out for a single-cluster tree`);
  });
}

/**
 * Throws one line when objects loaded from `paths` span several clusters (or a cluster and files outside every
 * cluster), for tools that read one mesh: `why` says why one (e.g. "a request runs in one cluster").
 */
export function checkOneCluster(objects: readonly SourcedManifest[], paths: readonly string[], why: string): void {
  const groups = groupByCluster(objects, paths);
  const clusters = groups.flatMap((g) => (g.cluster === undefined ? [] : [g.cluster]));
  if (clusters.length > 0 && groups.length > 1) {
    const outside = groups[0].cluster === undefined ? ' and files outside them' : '';
    throw new Error(`${paths.join(' ')} holds clusters ${clusters.join(', ')}${outside}: ${why}; pass --cluster <name> (e.g. --cluster ${clusters[0]})`);
  }
}

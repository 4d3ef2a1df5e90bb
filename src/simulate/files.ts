/**
 * The file side of the simulator, kept apart so the rest stays pure: manifests and batch files from disk.
 */
import { checkOneCluster, clusterPaths } from '../loader/clusters';
import { LoadError, LoadOptions, loadManifests, readManifestFile } from '../loader/load';
import { ParseChecksOptions, parseChecks } from './batch';
import { SimulationInputError } from './request';
import { Simulator, SimulatorOptions } from './simulator';
import { Check } from './types';

/** Options of {@link loadSimulator}. */
export interface LoadSimulatorOptions extends SimulatorOptions, LoadOptions {
  /** Simulate in this cluster of a fleet tree: `clusters/<cluster>/` under each path. */
  readonly cluster?: string;
  /** Called once per load warning (an empty file). @default - warnings are dropped */
  readonly onWarning?: (warning: LoadError) => void;
}

/**
 * Loads every YAML/JSON manifest under `paths` (folders read recursively, any layout; kinds the model does
 * not know are ignored) and builds a simulator. Unreadable or malformed input throws one
 * {@link SimulationInputError} naming the first `file:line`. A request runs in one cluster: input with cluster
 * folders (`clusters/<name>/`) must be narrowed to one, by `cluster` or by pointing at that cluster's folder.
 */
export function loadSimulator(paths: readonly string[], options: LoadSimulatorOptions = {}): Simulator {
  if (paths.length === 0) throw new SimulationInputError('manifests: no path given; pass --manifests <dir-or-file> (e.g. --manifests dist)');
  const { cluster, maxFileBytes, onWarning, ...simulatorOptions } = options;
  let roots = paths;
  if (cluster !== undefined) {
    try {
      roots = clusterPaths(paths, cluster);
    } catch (e: any) {
      throw new SimulationInputError(String(e?.message ?? e));
    }
  }
  const loaded = loadManifests(roots, { maxFileBytes });
  for (const w of loaded.warnings ?? []) onWarning?.(w);
  if (loaded.errors.length > 0) {
    const e = loaded.errors[0];
    const more = loaded.errors.length > 1 ? ` (and ${loaded.errors.length - 1} more)` : '';
    throw new SimulationInputError(`manifests: ${e.file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}${more}; fix the file or leave it out of --manifests`);
  }
  if (loaded.objects.length === 0) {
    throw new SimulationInputError(`manifests: no Kubernetes object found under ${paths.map((p) => JSON.stringify(p)).join(', ')}; point --manifests at the synthesized YAML (e.g. dist)`);
  }
  try {
    checkOneCluster(loaded.objects, paths, 'a request runs in one cluster');
  } catch (e: any) {
    throw new SimulationInputError(`manifests: ${String(e?.message ?? e)}`);
  }
  return Simulator.from(loaded.objects, simulatorOptions);
}

/** Reads a batch file of checks (see {@link parseChecks}), with the loader's limits on files. */
export function loadChecks(file: string, options: ParseChecksOptions & LoadOptions = {}): Check[] {
  const r = readManifestFile(file, options);
  if ('error' in r) {
    const e = r.error;
    throw new SimulationInputError(`requests: ${e.file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}; pass a YAML file of checks`);
  }
  return parseChecks(r.text, file, options);
}

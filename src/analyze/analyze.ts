/**
 * `analyze`: loads manifests, builds the model once, runs the rule set, and returns the findings in a stable
 * order. No rule logic lives here; the CLI, the benchmark and the validation plugin all call these functions.
 */
import { clusterPaths, groupByCluster } from '../loader/clusters';
import { LoadError, LoadOptions, LoadResult, loadManifests } from '../loader/load';
import { loadCached, storeReport } from './cache';
import type { MeshModelOptions } from '../model/mesh-model';
import type { SourcedManifest } from '../model/manifest';
import type { Finding } from '../rules/finding';
import { Severity } from '../rules/finding';
import type { IgnoreEntry } from '../rules/suppression';

/**
 * The model and the rule set, loaded when first used: a run answered from the cache (`cacheDir`) builds no model
 * and runs no rule, and loading them is a tenth of such a run's start-up.
 */
let ruleModules: { readonly model: typeof import('../model/mesh-model'); readonly rules: typeof import('../rules') } | undefined;
function rulesLoaded(): NonNullable<typeof ruleModules> {
  return (ruleModules ??= { model: require('../model/mesh-model'), rules: require('../rules') });
}

/** Options of {@link analyzePaths} and {@link analyzeObjects}. */
export interface AnalyzeOptions extends MeshModelOptions, LoadOptions {
  /**
   * Analyze only this cluster of a fleet tree: `clusters/<cluster>/` under each path (see `loader/clusters`).
   * Without it, a tree with cluster folders is still analyzed cluster by cluster.
   */
  readonly cluster?: string;
  /** Codes silenced on every object (`--ignore`; see `parseIgnoreList`). @default - none */
  readonly ignore?: readonly IgnoreEntry[];
  /** Where `ignore` was given, for reports. @default "--ignore" */
  readonly ignoreWhere?: string;
  /**
   * A folder for the analyze cache (`--cache`; see `cache.ts`): an unchanged input is answered from the
   * report of the run that read it, a changed one parses only the files whose content changed. The result is
   * the same as without it.
   *
   * @default - no cache
   */
  readonly cacheDir?: string;
}

/** Counts for the summary line. */
export interface AnalyzeSummary {
  readonly errors: number;
  readonly warnings: number;
  /** Objects read (List items count one each). */
  readonly objects: number;
  /** Files read. */
  readonly files: number;
  /** Files or documents that could not be read. */
  readonly loadErrors: number;
  /** Files that read as nothing (empty, or only comments). @default 0 */
  readonly loadWarnings?: number;
  /** The clusters analyzed, each on its own, when the input has cluster folders (`clusters/<name>/`). */
  readonly clusters?: string[];
  /** Findings silenced by an annotation or `--ignore` (not counted in errors or warnings). */
  readonly suppressed?: number;
}

/** Everything one run found. */
export interface AnalyzeResult {
  /** Sorted by file, line, code (see {@link compareFindings}). */
  readonly findings: Finding[];
  /** Unreadable files and malformed documents, sorted by file and line. */
  readonly loadErrors: LoadError[];
  /** Files that hold no object (empty, or only comments and `---`), sorted by file (always set by {@link analyzePaths}). */
  readonly loadWarnings?: LoadError[];
  /** Files read, in the order read. */
  readonly files: string[];
  /** Set when the rules themselves failed: one line, never a stack. */
  readonly internalError?: string;
  readonly summary: AnalyzeSummary;
}

/** Where an origin points: `file:line`, `file:line#items[i]`, or a construct path (line 0). */
export interface OriginPosition {
  readonly file: string;
  readonly line: number;
  readonly item: number;
}

// [\s\S], not ".": a file name may hold a line break, and the line number must still be read off its end
const ORIGIN = /^([\s\S]*):(\d+)(?:#items\[(\d+)\])?$/;

export function parseOrigin(origin: string): OriginPosition {
  const m = ORIGIN.exec(origin);
  if (!m) return { file: origin, line: 0, item: -1 };
  return { file: m[1], line: Number(m[2]), item: m[3] === undefined ? -1 : Number(m[3]) };
}

// plain code-unit comparison: locale-independent, so the order is the same on every machine
function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders findings by file, line, List item, code, then field and message, so output never depends on input order. */
export function compareFindings(a: Finding, b: Finding): number {
  const pa = parseOrigin(a.origin);
  const pb = parseOrigin(b.origin);
  return cmp(pa.file, pb.file) || cmp(pa.line, pb.line) || cmp(pa.item, pb.item) || cmp(a.code, b.code)
    || cmp(a.field, b.field) || cmp(a.message, b.message) || cmp(a.value, b.value);
}

/** Counts findings by severity; suppressed ones are counted apart and in neither severity. */
export function summarize(findings: readonly Finding[], objects: number, files: number, loadErrors: number, clusters: string[] = [], loadWarnings = 0): AnalyzeSummary {
  let errors = 0;
  let suppressed = 0;
  for (const f of findings) {
    if (f.suppressed) suppressed++;
    else if (f.severity === Severity.ERROR) errors++;
  }
  return { errors, warnings: findings.length - errors - suppressed, objects, files, loadErrors, loadWarnings, suppressed, ...(clusters.length > 0 ? { clusters } : {}) };
}

const byPosition = (a: LoadError, b: LoadError) => cmp(a.file, b.file) || cmp(a.line, b.line) || cmp(a.message, b.message);

/**
 * Runs the rule set over objects already in memory, then marks what annotations and `ignore` suppress;
 * throws only if a rule does.
 */
export function analyzeObjects(objects: readonly SourcedManifest[], options: AnalyzeOptions = {}): Finding[] {
  const { model: { MeshModel }, rules: { applySuppressions, runRules } } = rulesLoaded();
  const model = MeshModel.build(objects, options);
  return applySuppressions(runRules(model), model, { ignore: options.ignore, ignoreWhere: options.ignoreWhere }).sort(compareFindings);
}

/**
 * Runs the rule set once per cluster: objects from files under `clusters/<name>/` (below the `roots` they were
 * loaded from) are analyzed with their cluster's objects only, the rest together; no finding is ever computed
 * across two clusters.
 */
export function analyzeByCluster(objects: readonly SourcedManifest[], roots: readonly string[], options: AnalyzeOptions = {}): { findings: Finding[]; clusters: string[] } {
  const groups = groupByCluster(objects, roots);
  const findings = groups.flatMap((g) => analyzeObjects(g.objects, options)).sort(compareFindings);
  return { findings, clusters: groups.flatMap((g) => (g.cluster === undefined ? [] : [g.cluster])) };
}

/**
 * Loads every YAML/JSON file under `paths` (recursively) and analyzes them together, each cluster of a fleet
 * tree on its own. Never throws.
 */
export function analyzePaths(paths: readonly string[], options: AnalyzeOptions = {}): AnalyzeResult {
  let roots = paths;
  if (options.cluster !== undefined) {
    try {
      roots = clusterPaths(paths, options.cluster);
    } catch (e) {
      const loadErrors = [{ file: paths.join(' '), line: 0, message: firstLine(e) }];
      return { findings: [], loadErrors, files: [], summary: summarize([], 0, 0, 1) };
    }
  }
  let loaded;
  let runKey: string | undefined;
  let limit: number | undefined;
  let keep = false;
  try {
    if (options.cacheDir !== undefined) {
      const cached = loadCached(options.cacheDir, roots, cacheKeyOptions(paths, options), options.maxFileBytes, options.workerThreads);
      if (cached.report !== undefined) return cached.report as AnalyzeResult;
      loaded = cached.load!;
      runKey = cached.runKey;
      limit = cached.limit;
      keep = runKey !== undefined;
    } else {
      loaded = loadManifests(roots, options);
    }
  } catch (e) {
    return failed([], [], 0, `cannot read the input: ${firstLine(e)}`);
  }
  const result = analyzeLoaded(paths, loaded, options);
  if (keep) storeReport(options.cacheDir!, runKey!, result, limit);
  return result;
}

/** Everything besides the files that a report depends on, for the cache key (sorted, so the key is stable). */
function cacheKeyOptions(paths: readonly string[], options: AnalyzeOptions): unknown {
  const { cacheDir: _c, workerThreads: _w, ...rest } = options;
  return { paths, options: Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1))) };
}

function analyzeLoaded(paths: readonly string[], loaded: LoadResult, options: AnalyzeOptions): AnalyzeResult {
  const errors = [...loaded.errors];
  if (loaded.files.length === 0 && errors.length === 0) {
    // an empty or mistyped folder must not pass as "clean"
    errors.push({ file: paths.join(' '), line: 0, message: 'no YAML or JSON files found' });
  }
  const loadErrors = errors.sort(byPosition);
  const loadWarnings = [...(loaded.warnings ?? [])].sort(byPosition);
  let findings: Finding[];
  let clusters: string[];
  try {
    ({ findings, clusters } = analyzeByCluster(loaded.objects, paths, options));
  } catch (e) {
    return failed(loadErrors, loaded.files, loaded.objects.length, `the rules failed on this input: ${firstLine(e)}`, loadWarnings);
  }
  return {
    findings, loadErrors, loadWarnings, files: loaded.files,
    summary: summarize(findings, loaded.objects.length, loaded.files.length, loadErrors.length, clusters, loadWarnings.length),
  };
}

function failed(loadErrors: LoadError[], files: string[], objects: number, internalError: string, loadWarnings: LoadError[] = []): AnalyzeResult {
  return { findings: [], loadErrors, loadWarnings, files, internalError, summary: summarize([], objects, files.length, loadErrors.length, [], loadWarnings.length) };
}

/** Which severity makes the run fail. */
export enum FailOn {
  ERROR = 'error',
  WARNING = 'warning',
}

/** 2 when input could not be read or the rules failed, 1 when a finding is at or above `failOn`, else 0. */
export function exitCodeOf(result: AnalyzeResult, failOn: FailOn = FailOn.ERROR): 0 | 1 | 2 {
  if (result.internalError !== undefined || result.loadErrors.length > 0) return 2;
  if (result.summary.errors > 0) return 1;
  if (failOn === FailOn.WARNING && (result.summary.warnings > 0 || (result.summary.loadWarnings ?? 0) > 0)) return 1;
  return 0;
}

/** The first line of an error's message. */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}

// `analyze <file-or-dir>...`: parses options, calls analyze/, prints its report. No rule logic here.
import * as fs from 'fs';
import * as path from 'path';
import { Option } from 'commander';
import { FailOn, analyzePaths, exitCodeOf } from '../analyze';
import { DEFAULT_MAX_FILE_BYTES } from '../loader/load';
import { ANALYZE_FORMATS, AnalyzeFormat, renderAnalysis } from '../report/analysis';
import { IgnoreListError, parseIgnoreList } from '../rules/suppression';
import { escapeControls } from '../rules/display';
import { collectNonEmpty, emptyPathProblem, parseByteSize, parseNamespace } from './options';
import type { CommandRegistrar } from './command';
import { makeFolders } from '../loader/folders';

const EMPTY = 'empty';

/** Why `--cache DIR` cannot be a cache folder: it exists and is no folder, or it is missing and cannot be made (it is made here). */
function cacheFolderProblem(dir: string): string | undefined {
  if (dir === '') return EMPTY;
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir);
  } catch (e: any) {
    if (e?.code === 'ENOENT') {
      if (fs.lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink()) return 'a symbolic link to nothing';
      // made now, as the cache would make it: one that cannot be made (below /proc, on a read-only disk, a file in
      // the way) is said here, where it would otherwise only leave every run uncached
      try {
        makeFolders(dir, fs, path);
        return undefined;
      } catch (made: any) {
        return `cannot be made (${made?.code ?? 'error'}: mkdir ${JSON.stringify(made?.path ?? dir)})`;
      }
    }
    if (e?.code === 'ELOOP') return 'a symbolic link that leads back to itself';
    return `cannot be looked at (${e?.code ?? 'error'})`;
  }
  if (st.isDirectory()) return undefined;
  if (st.isFile()) return 'a regular file, not a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO), not a folder';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device, not a folder';
  return 'not a folder';
}

interface AnalyzeFlags {
  readonly format: AnalyzeFormat;
  readonly ignore: string[];
  readonly rootNamespace: string;
  readonly defaultNamespace: string;
  readonly quiet?: boolean;
  readonly failOn: FailOn;
  readonly maxFileSize?: number;
  readonly cluster?: string;
  readonly cache?: string;
}

export const analyzeCommand: CommandRegistrar = (program, io, setExit) => {
  program.command('analyze')
    .description('Find the Istio ambient and Wasm plugin mistakes Istio ignores silently, in any Kubernetes YAML. '
      + 'Exit 0: no errors; 1: errors found; 2: input unreadable or malformed.')
    .argument('<paths...>', 'YAML/JSON files or directories (read recursively; dot-folders and node_modules skipped)')
    .addOption(new Option('--format <format>', 'output format (sarif: SARIF 2.1.0 for code scanning)').choices([...ANALYZE_FORMATS]).default('text'))
    .option('--root-namespace <namespace>', "Istio's meshConfig.rootNamespace", parseNamespace, 'istio-system')
    .option('--default-namespace <namespace>', 'namespace of objects that set none (as kubectl would apply them)', parseNamespace, 'default')
    .option('-q, --quiet', 'print errors only (warnings are still counted in the summary)')
    .addOption(new Option('--fail-on <severity>', 'lowest severity that makes the exit code 1').choices([FailOn.ERROR, FailOn.WARNING]).default(FailOn.ERROR))
    .option('--max-file-size <size>', `largest file read, e.g. 128MiB (default ${DEFAULT_MAX_FILE_BYTES / 1024 ** 2}MiB)`, parseByteSize)
    .option('--ignore <codes>', 'suppress these codes on every object: CODE[,CODE][: reason] (repeatable); reported as suppressed, never hidden',
      collectNonEmpty('write rule codes such as "BA011" or "BA011,WASM023: demo credentials"'), [])
    .option('--cluster <name>', 'in a fleet tree (clusters/<name>/ under each path), analyze only this cluster; without it, each cluster is analyzed on its own')
    .option('--cache <dir>', 'keep what this run read and found in <dir>, and answer the next run from it where the input is unchanged (content-hashed; the report is the same)')
    .action((paths: string[], flags: AnalyzeFlags) => {
      const empty = emptyPathProblem('paths', paths);
      if (empty) {
        io.err(`error: ${empty}\n`);
        setExit(2);
        return;
      }
      let ignore;
      try {
        ignore = parseIgnoreList(flags.ignore);
      } catch (e) {
        if (!(e instanceof IgnoreListError)) throw e;
        io.err(`error: ${e.message}\n`);
        setExit(2);
        return;
      }
      let cacheDir = flags.cache;
      if (flags.cache !== undefined) {
        const problem = cacheFolderProblem(flags.cache);
        if (problem === EMPTY) {
          io.err('error: --cache: give a folder (an empty path would put the cache in the current folder)\n');
          setExit(2);
          return;
        }
        // the run goes on without it (its report is the same); said once, so a mistyped path is not silent for ever
        if (problem) {
          io.err(`warning: --cache ${escapeControls(JSON.stringify(flags.cache))}: ${problem}, so this run is not cached\n`);
          cacheDir = undefined;
        }
      }
      const result = analyzePaths(paths, { rootNamespace: flags.rootNamespace, defaultNamespace: flags.defaultNamespace, ignore, cluster: flags.cluster, maxFileBytes: flags.maxFileSize, cacheDir });
      const code = exitCodeOf(result, flags.failOn);
      io.out(renderAnalysis(result, flags.format, { exitCode: code, quiet: flags.quiet }));
      setExit(code);
    });
};

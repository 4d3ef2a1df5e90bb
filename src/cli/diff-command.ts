// `diff OLD NEW`: which requests change status between two trees; an opening fails unless allowed.
import { Option } from 'commander';
import { AllowEntry, DiffInputError, diffExitCode, diffPaths, parseAllowFile } from '../diff';
import { DEFAULT_MAX_FILE_BYTES, readManifestFile } from '../loader/load';
import { escapeControls } from '../rules/display';
import { collectNonEmpty, emptyPathProblem, parseByteSize, parseDomain, parseNamespace } from './options';
import { DIFF_FORMATS, DiffFormat, renderDiff } from '../report';
import type { CommandRegistrar } from './command';

interface DiffFlags {
  readonly format: DiffFormat;
  readonly allow: string[];
  readonly allowOpened?: boolean;
  readonly full?: boolean;
  readonly rootNamespace: string;
  readonly defaultNamespace: string;
  readonly clusterDomain: string;
  readonly maxFileSize?: number;
  readonly cluster?: string;
}

function readAllow(file: string, maxFileBytes?: number): AllowEntry[] {
  // the loader's rules for files: regular files only, under the size cap, UTF-8
  const r = readManifestFile(file, { maxFileBytes });
  if ('error' in r) throw new DiffInputError(`--allow: ${file}${r.error.line > 0 ? `:${r.error.line}` : ''}: ${r.error.message}; pass a YAML list of allow entries`);
  try {
    return parseAllowFile(r.text, file);
  } catch (e) {
    // every error says which option it is about, as the loader's do
    if (e instanceof DiffInputError) throw new DiffInputError(`--allow: ${e.message}`);
    throw e;
  }
}

export const diffCommand: CommandRegistrar = (program, io, setExit) => {
  program.command('diff')
    .description('simulate the requests that matter against two trees (e.g. two commits\' dist/) and report those whose status changes; '
      + 'exit 0 nothing opened, 1 a request went from 401/403 to 2xx without an allow entry, 2 bad input')
    .argument('<old>', 'the tree before (YAML file or folder, read recursively)')
    .argument('<new>', 'the tree after')
    .addOption(new Option('--format <format>', 'text, json, or markdown (for a pull-request comment)').choices([...DIFF_FORMATS]).default('text'))
    .option('--allow <file>', 'YAML list of intended openings, each with a reason (repeatable)', collectNonEmpty('pass a YAML file listing the intended openings'), [])
    .option('--allow-opened', 'report openings but exit 0 (the change is reviewed elsewhere)')
    .option('--full', 'simulate every namespace, not only those a change can reach')
    .option('--root-namespace <namespace>', "Istio's meshConfig.rootNamespace", parseNamespace, 'istio-system')
    .option('--default-namespace <namespace>', 'namespace of objects that set none', parseNamespace, 'default')
    .option('--cluster-domain <domain>', "the cluster's DNS domain", parseDomain, 'cluster.local')
    .option('--max-file-size <size>', `largest file read, e.g. 128MiB (default ${DEFAULT_MAX_FILE_BYTES / 1024 ** 2}MiB)`, parseByteSize)
    .option('--cluster <name>', 'in fleet trees (clusters/<name>/ under each side), compare this cluster')
    .allowExcessArguments(false)
    .action((before: string, after: string, flags: DiffFlags) => {
      const empty = emptyPathProblem('OLD', [before]) ?? emptyPathProblem('NEW', [after]);
      if (empty) {
        io.err(`error: ${empty}\n`);
        setExit(2);
        return;
      }
      try {
        const allow = flags.allow.flatMap((f) => readAllow(f, flags.maxFileSize));
        const result = diffPaths([before], [after], {
          allow, allowOpened: flags.allowOpened, full: flags.full,
          rootNamespace: flags.rootNamespace, defaultNamespace: flags.defaultNamespace, clusterDomain: flags.clusterDomain, cluster: flags.cluster,
          maxFileBytes: flags.maxFileSize,
        });
        const code = diffExitCode(result);
        io.out(renderDiff(result, flags.format, code));
        setExit(code);
      } catch (e) {
        if (!(e instanceof DiffInputError)) throw e;
        io.err(`error: ${escapeControls(e.message.split('\n')[0])}\n`);
        setExit(2);
      }
    });
};

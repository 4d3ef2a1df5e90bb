// `diff OLD NEW`: which requests change status between two trees; an opening fails unless allowed.
import * as fs from 'fs';
import { Option } from 'commander';
import { AllowEntry, DiffInputError, diffExitCode, diffPaths, parseAllowFile } from '../diff';
import { DIFF_FORMATS, DiffFormat, renderDiff } from '../report';
import type { CommandRegistrar } from './program';

interface DiffFlags {
  readonly format: DiffFormat;
  readonly allow: string[];
  readonly allowOpened?: boolean;
  readonly full?: boolean;
  readonly rootNamespace: string;
  readonly defaultNamespace: string;
  readonly clusterDomain: string;
  readonly cluster?: string;
}

function readAllow(file: string): AllowEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    throw new DiffInputError(`--allow: cannot read ${JSON.stringify(file)} (${e?.code === 'ENOENT' ? 'no such file' : String(e?.message ?? e)}); pass a YAML list of allow entries`);
  }
  return parseAllowFile(text, file);
}

export const diffCommand: CommandRegistrar = (program, io, setExit) => {
  program.command('diff')
    .description('simulate the requests that matter against two trees (e.g. two commits\' dist/) and report those whose status changes; '
      + 'exit 0 nothing opened, 1 a request went from 401/403 to 2xx without an allow entry, 2 bad input')
    .argument('<old>', 'the tree before (YAML file or folder, read recursively)')
    .argument('<new>', 'the tree after')
    .addOption(new Option('--format <format>', 'text, json, or markdown (for a pull-request comment)').choices([...DIFF_FORMATS]).default('text'))
    .option('--allow <file>', 'YAML list of intended openings, each with a reason (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--allow-opened', 'report openings but exit 0 (the change is reviewed elsewhere)')
    .option('--full', 'simulate every namespace, not only those a change can reach')
    .option('--root-namespace <namespace>', "Istio's meshConfig.rootNamespace", 'istio-system')
    .option('--default-namespace <namespace>', 'namespace of objects that set none', 'default')
    .option('--cluster-domain <domain>', "the cluster's DNS domain", 'cluster.local')
    .option('--cluster <name>', 'in fleet trees (clusters/<name>/ under each side), compare this cluster')
    .action((before: string, after: string, flags: DiffFlags) => {
      try {
        const allow = flags.allow.flatMap(readAllow);
        const result = diffPaths([before], [after], {
          allow, allowOpened: flags.allowOpened, full: flags.full,
          rootNamespace: flags.rootNamespace, defaultNamespace: flags.defaultNamespace, clusterDomain: flags.clusterDomain, cluster: flags.cluster,
        });
        const code = diffExitCode(result);
        io.out(renderDiff(result, flags.format, code));
        setExit(code);
      } catch (e) {
        if (!(e instanceof DiffInputError)) throw e;
        io.err(`error: ${e.message.split('\n')[0]}\n`);
        setExit(2);
      }
    });
};

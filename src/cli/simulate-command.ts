import { Command, Option } from 'commander';
import { DEFAULT_MAX_FILE_BYTES, LoadError } from '../loader/load';
import { BATCH_FORMATS, BatchFormat, renderBatch } from '../report';
import { escapeControls } from '../rules/display';
import {
  SimulationInputError, SimulationRequest, basicAuthHeader, formatSimulation, loadChecks, loadSimulator, parseHeader,
} from '../simulate';
import { maskedBatch, maskedResult } from '../simulate/format';
import { emptyPathProblem, parseByteSize, parseDomain, parseNamespace } from './options';
import type { CliIo, CommandRegistrar } from './command';

/** Exit codes of `simulate`. */
export const SIMULATE_EXIT = { SIMULATED: 0, MISMATCH: 1, BAD_INPUT: 2, UNKNOWN: 3 } as const;

interface SimulateOptions {
  readonly manifests: string[];
  readonly from?: string;
  readonly request?: string;
  readonly header: string[];
  readonly user?: string;
  readonly connectTo: string[];
  readonly requests?: string;
  readonly json?: boolean;
  readonly format?: BatchFormat;
  readonly rootNamespace?: string;
  readonly clusterDomain?: string;
  readonly maxFileSize?: number;
  readonly cluster?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * curl's header rules: `-u` makes an internal Authorization header that a `-H Authorization` replaces; each `-H`
 * is sent as given (the same name twice sends both); `Name:` with no value drops that header.
 */
function headersOf(opts: SimulateOptions): Array<[string, string]> {
  let internal: Array<[string, string]> = opts.user !== undefined ? [['Authorization', basicAuthHeader(opts.user)]] : [];
  let custom: Array<[string, string]> = [];
  for (const h of opts.header) {
    const { name, value } = parseHeader(h);
    const other = ([n]: [string, string]) => n.toLowerCase() !== name.toLowerCase();
    internal = internal.filter(other);
    if (value === undefined) custom = custom.filter(other); else custom.push([name, value]);
  }
  return [...internal, ...custom];
}

function run(url: string | undefined, opts: SimulateOptions, io: CliIo): number {
  // an empty manifest file does not stop the simulation, but it is said, on stderr (the trace stays as it is)
  const load = {
    maxFileBytes: opts.maxFileSize,
    onWarning: (w: LoadError) => io.err(`${escapeControls(`warning LOAD ${w.file}: ${w.message}`)}\n`),
  };
  const empty = emptyPathProblem('manifests', opts.manifests) ?? (opts.requests === '' ? emptyPathProblem('requests', [''], 'pass the YAML file of requests (e.g. examples/seed-checks.yaml)') : undefined);
  if (empty) throw new SimulationInputError(empty);
  // two output options that disagree: which one was meant cannot be told
  if (opts.json && opts.format !== undefined && opts.format !== 'json') {
    throw new SimulationInputError(`--json: conflicts with --format ${opts.format}; pass one of them (--json is --format json)`);
  }
  if (opts.requests !== undefined) {
    if (url !== undefined) throw new SimulationInputError(`URL: not allowed with --requests (got ${JSON.stringify(url)}); put every request in the batch file`);
    if (opts.header.length > 0 || opts.user !== undefined || opts.request !== undefined || opts.connectTo.length > 0) {
      throw new SimulationInputError('-H, -u, -X and --connect-to apply to a single request; write headers, user, method and connectTo into each entry of the --requests file');
    }
    const checks = loadChecks(opts.requests, { from: opts.from, maxFileBytes: opts.maxFileSize });
    const sim = loadSimulator(opts.manifests, { rootNamespace: opts.rootNamespace, clusterDomain: opts.clusterDomain, cluster: opts.cluster, ...load });
    const batch = sim.check(checks);
    // credentials masked in every format (the JSON holds every request's headers)
    io.out(renderBatch(maskedBatch(batch), opts.format ?? (opts.json ? 'json' : 'text'), opts.requests));
    return batch.failed === 0 ? SIMULATE_EXIT.SIMULATED : SIMULATE_EXIT.MISMATCH;
  }
  if (opts.format === 'junit') throw new SimulationInputError('--format junit: reports batch checks; use it with --requests <file>');
  if (url === undefined) throw new SimulationInputError('URL: missing; pass the URL to request (e.g. http://productpage:9080/productpage), or --requests <file>');
  if (opts.from === undefined) throw new SimulationInputError('--from: missing; name the client as <namespace>/<workload> (e.g. --from default/curl)');
  const request: SimulationRequest = { from: opts.from, method: opts.request ?? 'GET', url, headers: headersOf(opts), ...(opts.connectTo.length ? { connectTo: opts.connectTo } : {}) };
  const sim = loadSimulator(opts.manifests, { rootNamespace: opts.rootNamespace, clusterDomain: opts.clusterDomain, cluster: opts.cluster, ...load });
  const result = sim.simulate(request);
  io.out(opts.json || opts.format === 'json' ? `${JSON.stringify(maskedResult(result), null, 2)}\n` : formatSimulation(result));
  return result.status === 'unknown' ? SIMULATE_EXIT.UNKNOWN : SIMULATE_EXIT.SIMULATED;
}

/**
 * `simulate`: what a request from a workload gets, and why, from manifests alone. Exit 0 when simulated
 * (whatever the status), 3 when the manifests do not decide it, 2 for bad input, 1 when a batch check fails.
 */
export const simulateCommand: CommandRegistrar = (program: Command, io: CliIo, setExit: (code: number) => void) => {
  program.command('simulate')
    .description('predict the HTTP status a request from a mesh workload gets, and why (curl-like); exit 0 simulated, 1 batch mismatch, 2 bad input, 3 unknown')
    .argument('[url]', 'the URL as curl takes it: http(s)://<service>[.<namespace>[.svc[.cluster.local]]][:port]/path?query (https:// to an ingress gateway\'s HTTPS listener)')
    .option('--manifests <path>', 'YAML file or folder, read recursively (repeatable)', collect, [])
    .option('--from <client>', 'the client workload: <namespace>/<workload> or <namespace>/<kind>/<name>')
    .option('-X, --request <method>', 'request method (default GET)')
    .option('-H, --header <header>', 'request header "Name: value" (repeatable; "Name:" removes it)', collect, [])
    .option('-u, --user <user:password>', 'send Authorization: Basic with these credentials')
    .option('--connect-to <HOST1:PORT1:HOST2:PORT2>', 'as curl: connect to HOST2:PORT2 for HOST1:PORT1, keeping the URL\'s host for SNI and Host (repeatable)', collect, [])
    .option('--requests <file>', 'batch mode: a YAML list of requests with the status each expects')
    .option('--json', 'print one JSON object instead of the trace (same as --format json)')
    .addOption(new Option('--format <format>', 'output format (junit: batch mode only, one testcase per check)').choices([...BATCH_FORMATS]))
    .option('--root-namespace <namespace>', "Istio's root namespace", parseNamespace, 'istio-system')
    .option('--cluster-domain <domain>', "the cluster's DNS domain", parseDomain, 'cluster.local')
    .option('--cluster <name>', 'in a fleet tree (clusters/<name>/ under --manifests), simulate in this cluster')
    .option('--max-file-size <size>', `largest manifest or batch file read, e.g. 128MiB (default ${DEFAULT_MAX_FILE_BYTES / 1024 ** 2}MiB)`, parseByteSize)
    // accepted so a curl line from the Istio docs can be pasted as is; the output is always the trace, then the status
    .option('-s, --silent', 'accepted for curl compatibility (no effect)')
    .option('-k, --insecure', 'accepted for curl compatibility (certificates are never verified here)')
    .option('-o, --output <file>', 'accepted for curl compatibility (no effect)')
    .option('-w, --write-out <format>', 'accepted for curl compatibility (the status is always the last line)')
    // one request a run: a second URL would be dropped without a word (curl would fetch both)
    .allowExcessArguments(false)
    .action((url: string | undefined, opts: SimulateOptions) => {
      try {
        setExit(run(url, opts, io));
      } catch (e) {
        if (!(e instanceof SimulationInputError)) throw e;
        io.err(`error: ${escapeControls(e.message.split('\n')[0])}\n`);
        setExit(SIMULATE_EXIT.BAD_INPUT);
      }
    });
};

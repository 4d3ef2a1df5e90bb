// `cdk8s-istio-ambient <command>`: argument parsing only; the work lives in analyze/ and simulate/.
import { Command, CommanderError } from 'commander';
import { escapeControls } from '../rules/display';
import type { CliIo, CommandRegistrar } from './command';

export type { CliIo, CommandRegistrar } from './command';

export const PROCESS_IO: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/**
 * The subcommands in the order help lists them, each module loaded when registered: a run registers only its own
 * command, so `analyze` never loads the simulator nor `diff` its allow-list parser (the others' modules were a
 * third of an `analyze --cache` hit's start-up).
 */
const COMMANDS: ReadonlyArray<readonly [string, () => CommandRegistrar]> = [
  ['analyze', () => (require('./analyze-command') as typeof import('./analyze-command')).analyzeCommand],
  ['simulate', () => (require('./simulate-command') as typeof import('./simulate-command')).simulateCommand],
  ['diff', () => (require('./diff-command') as typeof import('./diff-command')).diffCommand],
  ['graph', () => (require('./graph-command') as typeof import('./graph-command')).graphCommand],
];

/**
 * The program with its subcommands registered (every one, or only `only`); `setExit` receives each command's
 * exit code.
 */
export function cliProgram(io: CliIo = PROCESS_IO, setExit: (code: number) => void = () => undefined, only?: string): Command {
  const program = new Command('cdk8s-istio-ambient')
    .description('Offline checks and traffic simulation for Istio ambient mode and its Wasm plugins')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (s, write) => write(`${escapeControls(usageLine(s))}\n`) });
  // `--version` is the program's, not a command's: its package.json is read only when no command runs
  if (only === undefined) program.version((require('../report/tool') as typeof import('../report/tool')).TOOL_VERSION, '-V, --version', 'print the version');
  for (const [name, registrar] of COMMANDS) if (only === undefined || only === name) registrar()(program, io, setExit);
  return program;
}

/** Runs the CLI and returns the exit code (2 for usage errors and bad input); never throws. */
export async function runCli(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  let exit = 0;
  // a run of one command (its name first) needs only that command; help, `help <command>` and a misspelt
  // command (which commander answers with the nearest names) get them all
  const only = COMMANDS.some(([name]) => name === argv[0]) ? argv[0] : undefined;
  const program = cliProgram(io, (code) => { exit = code; }, only);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    io.err(`error: ${escapeControls(firstLine(e))}\n`);
    return 2;
  }
  return exit;
}

/**
 * A usage error as one line: its first, with the suggestion commander puts on a line of its own for a misspelt
 * command or option (`(Did you mean analyze?)`), which the first line alone lost.
 */
export function usageLine(message: string): string {
  const [first, second] = message.split('\n');
  return second !== undefined && /^\(Did you mean .+\?\)$/.test(second) ? `${first} ${second}` : first;
}

/** The first line of an error's message: CLI errors are one line, never a stack trace. */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}

// `cdk8s-istio-ambient <command>`: argument parsing only; the work lives in analyze/ and simulate/.
import { Command, CommanderError } from 'commander';
import { escapeControls } from '../rules/display';
import { TOOL_VERSION } from '../report/tool';
import { analyzeCommand } from './analyze-command';
import { diffCommand } from './diff-command';
import { graphCommand } from './graph-command';
import { simulateCommand } from './simulate-command';
import { CliIo } from './command';

export type { CliIo, CommandRegistrar } from './command';

export const PROCESS_IO: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** The program with every subcommand registered; `setExit` receives each command's exit code. */
export function cliProgram(io: CliIo = PROCESS_IO, setExit: (code: number) => void = () => undefined): Command {
  const program = new Command('cdk8s-istio-ambient')
    .description('Offline checks and traffic simulation for Istio ambient mode and its Wasm plugins')
    .version(TOOL_VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (s, write) => write(`${escapeControls(s.split('\n')[0])}\n`) });
  for (const r of [analyzeCommand, simulateCommand, diffCommand, graphCommand]) r(program, io, setExit);
  return program;
}

/** Runs the CLI and returns the exit code (2 for usage errors and bad input); never throws. */
export async function runCli(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  let exit = 0;
  const program = cliProgram(io, (code) => { exit = code; });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    io.err(`error: ${escapeControls(firstLine(e))}\n`);
    return 2;
  }
  return exit;
}

/** The first line of an error's message: CLI errors are one line, never a stack trace. */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}

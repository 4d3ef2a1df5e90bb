// what a command file needs from the program: where to write and how to register itself. kept apart from
// program.ts, which imports every command, so the imports run one way (program -> commands -> this file)
import { Command } from 'commander';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** A subcommand adds itself to the program and reports its exit code through `setExit`. */
export type CommandRegistrar = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

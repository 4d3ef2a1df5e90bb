// option parsers shared by the commands (kept apart from program.ts, which imports the commands; see command.ts)
import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `--max-file-size`: bytes, or a number with K/KiB, M/MiB or G/GiB (powers of 1024), e.g. `128MiB`. */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new InvalidArgumentError(`must be a size such as 64MiB, 512KiB or 1048576 (bytes) (got ${JSON.stringify(text)})`);
  }
  return bytes;
}

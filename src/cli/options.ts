// option parsers shared by the commands (kept apart from program.ts, which imports the commands; see command.ts)
import { InvalidArgumentError } from 'commander';
import { clipped, quote } from '../rules/display';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** A value as an error shows it: quoted, control characters escaped, long ones cut. */
function shown(text: string): string {
  return clipped(quote(text), 80);
}

/** `--max-file-size`: bytes, or a number with K/KiB, M/MiB or G/GiB (powers of 1024), e.g. `128MiB`. */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new InvalidArgumentError(`must be a size such as 64MiB, 512KiB or 1048576 (bytes) (got ${shown(text)})`);
  }
  return bytes;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `--root-namespace`, `--default-namespace`, `--namespace`: a Namespace name (RFC 1123 label, at most 63
 * characters), as the API server requires; an empty or mistyped one would match no object, silently.
 */
export function parseNamespace(text: string): string {
  if (text.length > 63 || !DNS_LABEL.test(text)) {
    throw new InvalidArgumentError(`must be a namespace name: lowercase a-z, 0-9 and "-", at most 63 characters (got ${shown(text)}); e.g. istio-system`);
  }
  return text;
}

/** `--cluster-domain`: a DNS domain of labels joined by dots (a trailing dot allowed), e.g. `cluster.local`. */
export function parseDomain(text: string): string {
  const labels = text.replace(/\.$/, '').split('.');
  if (text.length > 253 || text === '' || !labels.every((l) => l.length <= 63 && DNS_LABEL.test(l))) {
    throw new InvalidArgumentError(`must be a DNS domain such as cluster.local: lowercase labels of a-z, 0-9 and "-" joined by "." (got ${shown(text)})`);
  }
  return text;
}

/** A repeatable option whose every value must be non-empty (an empty one is nearly always a shell mistake). */
export function collectNonEmpty(what: string): (value: string, previous: string[]) => string[] {
  return (value, previous) => {
    if (value.trim() === '') throw new InvalidArgumentError(`is empty; ${what}`);
    return [...previous, value];
  };
}

/** Why a path argument cannot be read, before the loader sees it: only the empty path, which names no file. */
export function emptyPathProblem(label: string, paths: readonly string[], fix = 'pass the YAML file or folder (e.g. dist)'): string | undefined {
  if (!paths.some((p) => p === '')) return undefined;
  return `${label}: an empty path ("") names no file or folder; ${fix}`;
}

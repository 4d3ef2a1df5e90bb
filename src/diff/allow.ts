/**
 * The allow file of `diff --allow FILE`: openings a change intends, each with the reason a reviewer reads. An
 * entry matches an opened request when every field it sets matches; `reason` is required.
 *
 * ```yaml
 * - target: Service default/reviews     # or Gateway <ns>/<name>; "<ns>/<name>" matches either
 *   path: /reviews/*                    # exact, or a prefix ending in *
 *   method: GET
 *   from: default/curl
 *   credentials: none                   # none, invalid or valid
 *   reason: reviews are public from release 2.3
 * ```
 */
import { isMap, isSeq } from 'yaml';
import { parseYamlDocument } from '../loader/load';
import type { RequestChange } from './diff';
import { DiffInputError } from './errors';

export interface AllowEntry {
  readonly target?: string;
  readonly path?: string;
  readonly method?: string;
  readonly from?: string;
  readonly credentials?: 'none' | 'invalid' | 'valid';
  readonly reason: string;
  /** `file:line` of the entry, for reports of entries that matched nothing. */
  readonly text: string;
}

const KEYS = ['target', 'path', 'method', 'from', 'credentials', 'reason'];

/** Parses an allow file's text; throws {@link DiffInputError} naming `file:line` and the field. */
export function parseAllowFile(text: string, display: string): AllowEntry[] {
  // the loader's limits (nesting, aliases, duplicate keys) hold for allow files too
  const parsed = parseYamlDocument(text, display);
  if ('error' in parsed) {
    if (parsed.error.message === 'the file is empty') return [];
    throw new DiffInputError(`${display}:${parsed.error.line}: ${parsed.error.message}; fix the YAML: a list of allow entries, each with a reason`);
  }
  const { doc, lines } = parsed;
  const at = (node: any) => `${display}:${node?.range ? lines.linePos(node.range[0]).line : 1}`;
  if (doc.contents === null) return [];
  if (!isSeq(doc.contents)) throw new DiffInputError(`${at(doc.contents)}: must be a YAML list of allow entries; start each with "- reason: <why this opening is intended>"`);
  return doc.contents.items.map((node, i) => {
    const where = `${at(node)}: allow[${i}]`;
    if (!isMap(node)) throw new DiffInputError(`${where}: must be a map with a reason and the fields to match (target, path, method, from, credentials)`);
    const item = node.toJSON() as Record<string, unknown>;
    for (const k of Object.keys(item)) {
      if (!KEYS.includes(k)) throw new DiffInputError(`${where}: unknown field ${JSON.stringify(k)}; use ${KEYS.join(', ')}`);
    }
    for (const k of KEYS) {
      if (item[k] !== undefined && typeof item[k] !== 'string') throw new DiffInputError(`${where}.${k}: must be a string (got ${JSON.stringify(item[k])}); quote it`);
    }
    if (typeof item.reason !== 'string' || item.reason.trim() === '') {
      throw new DiffInputError(`${where}.reason: is required (got ${JSON.stringify(item.reason)}); say why this opening is intended`);
    }
    if (item.credentials !== undefined && !['none', 'invalid', 'valid'].includes(item.credentials as string)) {
      throw new DiffInputError(`${where}.credentials: must be none, invalid or valid (got ${JSON.stringify(item.credentials)})`);
    }
    return { ...(item as Omit<AllowEntry, 'text'>), text: at(node) };
  });
}

function pathMatches(pattern: string, path: string): boolean {
  const bare = path.split('?')[0];
  return pattern.endsWith('*') ? bare.startsWith(pattern.slice(0, -1)) : bare === pattern;
}

/** Whether an entry matches a change (`path` is the request's path and query). */
export function allowMatches(e: AllowEntry, c: RequestChange, path: string): boolean {
  if (e.target !== undefined && e.target !== c.target && e.target !== c.target.replace(/^\S+ /, '')) return false;
  if (e.path !== undefined && !pathMatches(e.path, path)) return false;
  if (e.method !== undefined && e.method !== c.method) return false;
  if (e.from !== undefined && e.from !== c.from) return false;
  if (e.credentials !== undefined && e.credentials !== c.credentials) return false;
  return true;
}

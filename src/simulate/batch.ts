/**
 * The batch file: a YAML list of requests with the status each should get, for CI. Parsing keeps each
 * check's `file:line` so a report points at it; anything malformed is a {@link SimulationInputError}.
 */
import { isMap, isSeq } from 'yaml';
import { parseYamlDocument } from '../loader/load';
import { findControlCharacter, maskCredential, maskHeaderValue, quote } from '../rules/display';
import { showValue } from '../rules/finding';
import { SimulationInputError, basicAuthHeader, maskHeaderText, parseHeader } from './request';
import { validateRequest } from './simulator';
import { Check, SimulationStatus } from './types';

const KEYS = ['name', 'from', 'method', 'url', 'headers', 'user', 'connectTo', 'expect'];

/** Options of {@link parseChecks}. */
export interface ParseChecksOptions {
  /** The client of checks that name none (the CLI's `--from`). */
  readonly from?: string;
}

/** A `headers` field as an error may show it: the values of credential headers masked, in each of its forms. */
function maskedHeaders(v: unknown): unknown {
  if (typeof v === 'string') return maskHeaderText(v);
  if (Array.isArray(v)) return v.map((h) => (typeof h === 'string' ? maskHeaderText(h) : h));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([n, h]) => [n, typeof h === 'string' ? maskHeaderValue(n, h) : h]));
  }
  return v;
}

/** What `run` throws, as an error of the entry at `where` (`file:line: requests[i]`). */
function within<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof SimulationInputError) throw new SimulationInputError(`${where}: ${e.message}`);
    throw e;
  }
}

function expectOf(v: unknown): SimulationStatus | undefined {
  if (v === 'unknown') return 'unknown';
  const n = typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

/**
 * Reads checks from YAML text: a list of `{name?, from, method?, url, headers?, user?, connectTo?, expect}`, where
 * `headers` is a map or a list of `"Name: value"` strings, `user` is curl's `-u user:password`, and `expect`
 * is a status code or `unknown`.
 */
export function parseChecks(text: string, display: string, options: ParseChecksOptions = {}): Check[] {
  // the loader's limits (nesting, aliases, duplicate keys) hold for batch files too
  const parsed = parseYamlDocument(text, display);
  const fix = 'start each request with "- from: <namespace>/<workload>"';
  if ('error' in parsed) {
    const e = parsed.error;
    if (e.message === 'the file is empty') throw new SimulationInputError(`${display}:1: must be a YAML list of requests (got an empty file); ${fix}`);
    throw new SimulationInputError(`${display}:${e.line}: ${e.message}`);
  }
  const { doc, lines } = parsed;
  const at = (node: any) => `${display}:${node?.range ? lines.linePos(node.range[0]).line : 1}`;
  if (!isSeq(doc.contents)) {
    throw new SimulationInputError(`${at(doc.contents)}: must be a YAML list of requests (got ${doc.contents === null ? 'an empty file' : 'something else'}); ${fix}`);
  }
  return doc.contents.items.map((node, i) => {
    const where = `${at(node)}: requests[${i}]`;
    if (!isMap(node)) throw new SimulationInputError(`${where}: must be a map with from, url and expect; e.g. "- {from: default/curl, url: http://productpage:9080/productpage, expect: 401}"`);
    const item = node.toJSON() as Record<string, unknown>;
    // values are shown as findings show them (credentials masked); `user` is a credential whatever its type
    const shown = (field: string) => (field === 'user' ? quote(maskCredential(item[field]))
      : showValue(field === 'headers' ? maskedHeaders(item[field]) : item[field]));
    const bad = (field: string, what: string, fix: string) => new SimulationInputError(`${where}.${field}: ${what} (got ${shown(field)}); ${fix}`);
    for (const k of Object.keys(item)) {
      if (!KEYS.includes(k)) throw new SimulationInputError(`${where}: unknown field ${JSON.stringify(k)}; use ${KEYS.join(', ')}`);
    }
    const from = item.from ?? options.from;
    if (typeof from !== 'string' || from === '') throw bad('from', 'is required', 'write the client as <namespace>/<workload>, or pass --from');
    if (typeof item.url !== 'string' || item.url === '') throw bad('url', 'is required', 'write the URL as curl takes it, e.g. http://productpage:9080/productpage');
    if (item.method !== undefined && typeof item.method !== 'string') throw bad('method', 'must be a string', 'e.g. method: POST');
    if (item.name !== undefined && typeof item.name !== 'string') throw bad('name', 'must be a string', 'quote the name');
    // a name is printed in the batch table: a line break in it could forge a row or the summary
    if (typeof item.name === 'string' && findControlCharacter(item.name) !== undefined) {
      throw bad('name', `holds a control character (${JSON.stringify(findControlCharacter(item.name))})`, 'write the name on one line, without control characters');
    }
    const expect = expectOf(item.expect);
    if (expect === undefined) throw bad('expect', 'must be an HTTP status code or "unknown"', 'e.g. expect: 401');
    const headers: Array<[string, string]> = [];
    if (Array.isArray(item.headers)) {
      for (const [j, h] of item.headers.entries()) {
        if (typeof h !== 'string') throw bad('headers', 'must be a map or a list of "Name: value" strings', 'e.g. headers: {Authorization: "Basic b2s6dGVzdA=="}');
        const parsed = within(`${where}.headers[${j}]`, () => parseHeader(h));
        if (parsed.value !== undefined) headers.push([parsed.name, parsed.value]);
      }
    } else if (item.headers !== undefined && item.headers !== null) {
      if (typeof item.headers !== 'object') throw bad('headers', 'must be a map or a list of "Name: value" strings', 'e.g. headers: {Authorization: "Basic b2s6dGVzdA=="}');
      for (const [n, v] of Object.entries(item.headers as Record<string, unknown>)) {
        if (typeof v !== 'string') throw bad('headers', `value of ${n} must be a string`, 'quote header values');
        headers.push([n, v]);
      }
    }
    if (item.user !== undefined) {
      if (typeof item.user !== 'string') throw bad('user', 'must be "user:password"', 'quote it, e.g. user: "ok:test"');
      const user = item.user;
      if (!headers.some(([n]) => n.toLowerCase() === 'authorization')) headers.push(['Authorization', within(where, () => basicAuthHeader(user))]);
    }
    const connectTo = item.connectTo === undefined ? undefined : Array.isArray(item.connectTo) ? item.connectTo : [item.connectTo];
    if (connectTo && !connectTo.every((c) => typeof c === 'string')) throw bad('connectTo', 'must be HOST1:PORT1:HOST2:PORT2 or a list of them', 'e.g. connectTo: "shop.example.com:443:web-istio.shop:443"');
    const check: Check = {
      ...(item.name !== undefined ? { name: item.name as string } : {}),
      ...(connectTo ? { connectTo: connectTo as string[] } : {}),
      from, url: item.url, ...(item.method !== undefined ? { method: item.method as string } : {}), headers, expect, origin: at(node),
    };
    within(where, () => validateRequest(check));
    return check;
  });
}

/**
 * Text renderings of simulation results: the trace of one request (its last line is the status alone, as
 * curl's `-w "%{http_code}"` prints it) and the table of a batch. Deterministic: no clock, no colour.
 */
import { escapeControls, maskBareUrl, maskHeaderValue } from '../rules/display';
import { statusText } from './simulator';
import { BatchResult, CheckResult, Hop, PluginTrace, SentRequest, SimulationResult } from './types';

const LABEL = 13;

function row(label: string, text: string, indent = ''): string {
  return `${indent}${label.padEnd(LABEL)}${text}`;
}

function cont(text: string, indent = ''): string {
  return `${indent}${' '.repeat(LABEL)}${text}`;
}

function pluginLines(p: PluginTrace, indent: string): string[] {
  const head = `${p.kind} ${p.plugin} (${p.origin})`;
  if (p.outcome === 'not-attached') return [row(' -', `${head}: not attached: ${p.attachReason}`, indent)];
  const label = p.order !== undefined ? ` #${p.order}` : ' -';
  const out = [row(label, `${head}: attached: ${p.attachReason}`, indent)];
  if (p.orderKey) out.push(cont(`order: ${p.orderKey}`, indent));
  for (const r of p.rules ?? []) {
    out.push(cont(`rule ${r.index} ${r.matcher} [${r.methods.join(' ')}]: ${r.decision}: ${r.detail}`, indent));
  }
  out.push(cont(`=> ${p.outcome}: ${p.detail}`, indent));
  return out;
}

function hopLines(h: Hop, indent: string): string[] {
  const out = [row(h.kind, h.detail, indent)];
  if (h.origin) out.push(cont(`from ${h.origin}`, indent));
  for (const p of h.plugins ?? []) out.push(...pluginLines(p, indent));
  if (h.plugins && h.plugins.length === 0) out.push(row(' -', 'no WasmPlugin or TrafficExtension in the namespaces this proxy reads', indent));
  return out;
}

/**
 * The trace of a result, without the final status line. Credentials are masked (headers, URL userinfo)
 * and every line is escaped, so nothing in a request or a manifest can add a line of its own.
 */
export function traceLines(r: SimulationResult, indent = ''): string[] {
  return rawTraceLines(r, indent).map(escapeControls);
}

function rawTraceLines(r: SimulationResult, indent: string): string[] {
  const out = [row('request', `${r.request.method} ${maskBareUrl(r.request.url)} from ${r.request.from}`, indent)];
  for (const [n, v] of r.request.headers) out.push(cont(`> ${n}: ${maskHeaderValue(n, v)}`, indent));
  for (const h of r.hops) out.push(...hopLines(h, indent));
  for (const s of r.subRequests) {
    out.push(row('call', s.purpose, indent));
    // the call's own request line, headers and notes are in the purpose and the parent's notes
    const nested = rawTraceLines(s.result, `${indent}    `).slice(1 + s.result.request.headers.length).filter((l) => !l.trimStart().startsWith('note '));
    out.push(...nested);
    out.push(cont(`=> ${s.effect}`, indent));
  }
  if (r.response) {
    if (r.response.body !== undefined) out.push(row('body', r.response.body, indent));
    for (const [n, v] of Object.entries(r.response.headers ?? {})) out.push(row('header', `${n}: ${v}`, indent));
  }
  for (const n of r.notes) out.push(row('note', n, indent));
  out.push(row('result', `${statusText(r.status)}: ${r.reason}`, indent));
  return out;
}

/** The whole text output of one simulation: the trace, then the status alone on the last line. */
export function formatSimulation(r: SimulationResult): string {
  return `${[...traceLines(r), statusText(r.status)].join('\n')}\n`;
}

/** The batch table: one line per check, the reason under each mismatch, then a summary. */
export function formatBatch(b: BatchResult): string {
  const rows = b.results.map((c, i) => ({
    n: String(i + 1), expect: statusText(c.check.expect), got: statusText(c.result.status), mark: c.ok ? 'ok' : 'FAIL',
    what: `${c.check.name ?? `${c.check.method ?? 'GET'} ${maskBareUrl(c.check.url)}`}${c.check.origin ? ` (${c.check.origin})` : ''}`,
    why: c.result.reason,
  }));
  // a loop, not Math.max(...rows): a spread of a large batch would overflow the call stack
  const w = (k: 'n' | 'expect' | 'got' | 'mark', title: string) => rows.reduce((m, r) => Math.max(m, r[k].length), title.length);
  const wn = w('n', '#'); const we = w('expect', 'expect'); const wg = w('got', 'got'); const wm = w('mark', 'result');
  const line = (n: string, e: string, g: string, m: string, what: string) => `${n.padStart(wn)}  ${e.padEnd(we)}  ${g.padEnd(wg)}  ${m.padEnd(wm)}  ${what}`.trimEnd();
  const out = [line('#', 'expect', 'got', 'result', 'check')];
  for (const r of rows) {
    out.push(line(r.n, r.expect, r.got, r.mark, r.what));
    if (r.mark === 'FAIL') out.push(`${' '.repeat(wn + we + wg + wm + 8)}why: ${r.why}`);
  }
  out.push(b.failed === 0 ? `all ${b.results.length} checks passed` : `${b.failed} of ${b.results.length} checks failed`);
  return `${out.map(escapeControls).join('\n')}\n`;
}

function maskedRequest<T extends SentRequest | BatchResult['results'][number]['check']>(r: T): T {
  const headers = Array.isArray(r.headers)
    ? (r.headers as ReadonlyArray<readonly [string, string]>).map(([n, v]) => [n, maskHeaderValue(n, v)])
    : r.headers && Object.fromEntries(Object.entries(r.headers).map(([n, v]) => [n, maskHeaderValue(n, v as string)]));
  return { ...r, url: maskBareUrl(r.url), ...(headers !== undefined ? { headers } : {}) };
}

/** A result as `--json` prints it: the same object with credentials masked in every request, calls included. */
export function maskedResult(r: SimulationResult): SimulationResult {
  return {
    ...r,
    request: maskedRequest(r.request),
    subRequests: r.subRequests.map((s) => ({ ...s, result: maskedResult(s.result) })),
  };
}

/** A batch as `--json` prints it, credentials masked. */
export function maskedBatch(b: BatchResult): BatchResult {
  return { ...b, results: b.results.map((c: CheckResult) => ({ ...c, check: maskedRequest(c.check), result: maskedResult(c.result) })) };
}

/**
 * Renders an {@link AnalyzeResult}: one line per finding and a summary line for people, one JSON object for
 * machines. Pure string building, no I/O.
 */
import { LoadError } from '../loader/load';
import { RULES } from '../rules/codes';
import { escapeControls } from '../rules/display';
import { Finding, Severity, formatFindingLine } from '../rules/finding';
import { suppressionSuffix } from '../rules/suppression';
import { AnalyzeResult, AnalyzeSummary, parseOrigin } from './analyze';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `3 errors, 1 warning in 42 objects from 7 files` (plus the clusters of a fleet tree, and unreadable input, when any). */
export function summaryLine(s: AnalyzeSummary): string {
  const suppressed = s.suppressed ? `, ${s.suppressed} suppressed` : '';
  let base = `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}${suppressed} in ${plural(s.objects, 'object')} from ${plural(s.files, 'file')}`;
  if (s.clusters && s.clusters.length > 0) base += `; ${s.clusters.length === 1 ? 'cluster' : 'clusters, each on its own:'} ${s.clusters.join(', ')}`;
  const input = [s.loadErrors > 0 ? plural(s.loadErrors, 'input error') : '', (s.loadWarnings ?? 0) > 0 ? plural(s.loadWarnings!, 'input warning') : ''].filter(Boolean);
  return input.length > 0 ? `${base}; ${input.join(', ')}` : base;
}

/** `error LOAD <file>:<line>: <message>`: the same shape as a finding line, with the pseudo-code LOAD. */
export function formatLoadError(e: LoadError): string {
  return escapeControls(`error LOAD ${e.line > 0 ? `${e.file}:${e.line}` : e.file}: ${e.message}`);
}

/** `warning LOAD <file>: <message>`: input that reads as nothing. */
export function formatLoadWarning(e: LoadError): string {
  return escapeControls(`warning LOAD ${e.line > 0 ? `${e.file}:${e.line}` : e.file}: ${e.message}`);
}

export interface TextReportOptions {
  /** Leave warning and suppressed lines out (they still count in the summary). @default false */
  readonly quiet?: boolean;
}

/** The report for people: input errors, findings in order, then the summary line. */
export function renderText(result: AnalyzeResult, options: TextReportOptions = {}): string {
  const lines: string[] = result.loadErrors.map(formatLoadError);
  if (!options.quiet) for (const w of result.loadWarnings ?? []) lines.push(formatLoadWarning(w));
  for (const f of result.findings) {
    if (options.quiet && (f.severity === Severity.WARNING || f.suppressed)) continue;
    lines.push(findingText(f));
  }
  if (result.internalError !== undefined) lines.push(escapeControls(`error INTERNAL: ${result.internalError}`));
  lines.push(summaryLine(result.summary));
  return lines.join('\n') + '\n';
}

const TITLES = new Map(RULES.map((r) => [r.code, r.title]));

/**
 * A finding's report line: `<severity> <CODE> ...`, or `suppressed <severity> <CODE> ... [suppressed by ...]`
 * so that a grep for `^error ` finds only what fails; a refused suppression is said at the end of the line.
 */
export function findingText(f: Finding): string {
  // names and origins come from the input: escaped, so no input can forge a line of the report
  return escapeControls(`${f.suppressed ? 'suppressed ' : ''}${formatFindingLine(f)}${suppressionSuffix(f)}`);
}

/** A finding as JSON: every field, plus its rule title and the origin split into file and line. */
export function findingJson(f: Finding): Record<string, unknown> {
  const pos = parseOrigin(f.origin);
  return {
    severity: f.severity, code: f.code, title: TITLES.get(f.code) ?? '', kind: f.kind, namespace: f.namespace, name: f.name,
    origin: f.origin, file: pos.file, line: pos.line, field: f.field, message: f.message, value: f.value, fix: f.fix,
    text: findingText(f),
    ...(f.suppressed ? { suppressed: { ...f.suppressed } } : {}),
    ...(f.suppressionRefused ? { suppressionRefused: f.suppressionRefused } : {}),
  };
}

/** The report for machines: one JSON document. */
export function renderJson(result: AnalyzeResult, exitCode: number): string {
  return JSON.stringify({
    findings: result.findings.map(findingJson),
    loadErrors: result.loadErrors.map((e) => ({ ...e, text: formatLoadError(e) })),
    loadWarnings: (result.loadWarnings ?? []).map((e) => ({ ...e, text: formatLoadWarning(e) })),
    ...(result.internalError !== undefined ? { internalError: result.internalError } : {}),
    summary: { ...result.summary, exitCode, text: summaryLine(result.summary) },
  }, null, 2) + '\n';
}

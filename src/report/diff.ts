/**
 * A policy diff as text (for the terminal), JSON (for scripts) and Markdown (for a pull-request comment).
 * Openings come first. Credentials are never shown: a listed one is named by its user and the rule listing it.
 */
import type { DiffResult, RequestChange } from '../diff';
import { statusText } from '../simulate';
import { maskText } from './mask';

/** Formats of `diff`. */
export const DIFF_FORMATS = ['text', 'json', 'markdown'] as const;
export type DiffFormat = typeof DIFF_FORMATS[number];

/** The first line of the Markdown report, so a CI job can find and update its own comment. */
export const DIFF_MARKER = '<!-- cdk8s-istio-ambient diff -->';

function credentialText(c: RequestChange): string {
  if (c.credentials === 'none') return 'no credentials';
  if (c.credentials === 'invalid') return 'a credential no rule lists';
  return `credential ${c.credentialUser} (listed by ${c.credentialSource})`;
}

function requestText(c: RequestChange): string {
  return `${c.method} ${c.url}${c.host ? ` (Host ${c.host})` : ''}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `2 of 66 requests changed: 1 opened (1 allowed), 1 closed; 1 of 3 namespaces simulated (the others did not change)` */
export function diffSummaryLine(r: DiffResult): string {
  const s = r.summary;
  const parts = [`${s.opened} opened${s.allowed > 0 ? ` (${s.allowed} allowed)` : ''}`, `${s.closed} closed`];
  if (s.other > 0) parts.push(`${s.other} other`);
  if (s.added > 0) parts.push(`${s.added} to new targets`);
  if (s.removed > 0) parts.push(`${s.removed} to removed targets`);
  const skipped = s.namespaces - s.namespacesSimulated;
  const scope = skipped > 0 ? `; ${s.namespacesSimulated} of ${plural(s.namespaces, 'namespace')} simulated (nothing the others depend on changed)` : '';
  return `${s.changed} of ${plural(s.requests, 'request')} changed: ${parts.join(', ')}${scope}`;
}

/** The text report: one block per changed request (what, before, after), then the summary line. */
export function renderDiffText(r: DiffResult): string {
  const out: string[] = [];
  for (const c of r.changes) {
    const label = c.change === 'opened' && c.allowed !== undefined ? 'opened (allowed)' : c.change;
    out.push(`${label.padEnd(17)}${statusText(c.before.status)} -> ${statusText(c.after.status)}  ${requestText(c)} from ${c.from}, ${credentialText(c)}`);
    out.push(`${' '.repeat(17)}before: ${maskText(c.before.reason)}`);
    out.push(`${' '.repeat(17)}after:  ${maskText(c.after.reason)}`);
    if (c.allowed !== undefined) out.push(`${' '.repeat(17)}allowed: ${c.allowed}`);
  }
  for (const u of r.unusedAllows) out.push(`note: allow entry ${u} matched no opened request; remove it if it is stale`);
  out.push(diffSummaryLine(r));
  return `${out.join('\n')}\n`;
}

/** The JSON report: every change with both statuses and reasons, the summary, and the exit code. */
export function renderDiffJson(r: DiffResult, exitCode: number): string {
  const changes = r.changes.map((c) => ({ ...c, before: { ...c.before, reason: maskText(c.before.reason) }, after: { ...c.after, reason: maskText(c.after.reason) } }));
  return `${JSON.stringify({ changes, unusedAllows: r.unusedAllows, summary: { ...r.summary, exitCode, text: diffSummaryLine(r) } }, null, 2)}\n`;
}

/** Markdown text in a table cell or list item: characters Markdown would read escaped, one line. */
export function markdownText(text: string): string {
  return text.replace(/[\\`*_[\]<>|~]/g, (ch) => `\\${ch}`).replace(/\r?\n/g, ' ');
}

/** Text as an inline code span in a table cell: backticks become quotes, pipes are escaped (GFM tables split on them). */
export function markdownCode(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}\``;
}

/** The Markdown report for a pull-request comment: a heading that says whether anything opened, a table, the reasons folded. */
export function renderDiffMarkdown(r: DiffResult): string {
  const s = r.summary;
  const blocking = s.opened - s.allowed;
  const title = blocking > 0 ? `:warning: ${plural(blocking, 'request')} opened` : s.changed > 0 ? `${plural(s.changed, 'request')} changed, none opened without an allow entry` : 'No request changes';
  const out = [DIFF_MARKER, `### Mesh policy diff: ${title}`, ''];
  if (r.changes.length > 0) {
    out.push('| change | status | request | from | credentials |', '|---|---|---|---|---|');
    for (const c of r.changes) {
      const change = c.change === 'opened' ? (c.allowed !== undefined ? 'opened (allowed)' : '**opened**') : c.change;
      out.push(`| ${change} | ${statusText(c.before.status)} → ${statusText(c.after.status)} | ${markdownCode(requestText(c))} | ${markdownCode(c.from)} | ${markdownText(credentialText(c))} |`);
    }
    out.push('', '<details><summary>Why each status changed</summary>', '');
    for (const c of r.changes) {
      out.push(`- ${markdownText(`${c.change} ${requestText(c)} from ${c.from}, ${credentialText(c)}`)}`);
      out.push(`  - before: ${markdownText(maskText(c.before.reason))}`);
      out.push(`  - after: ${markdownText(maskText(c.after.reason))}`);
      if (c.allowed !== undefined) out.push(`  - allowed: ${markdownText(c.allowed)}`);
    }
    out.push('', '</details>', '');
  }
  for (const u of r.unusedAllows) out.push(`Note: allow entry ${markdownText(u)} matched no opened request.`, '');
  out.push(markdownText(diffSummaryLine(r)));
  return `${out.join('\n')}\n`;
}

/** Renders a diff in one of {@link DIFF_FORMATS}. */
export function renderDiff(r: DiffResult, format: DiffFormat, exitCode = 0): string {
  if (format === 'json') return renderDiffJson(r, exitCode);
  if (format === 'markdown') return renderDiffMarkdown(r);
  return renderDiffText(r);
}

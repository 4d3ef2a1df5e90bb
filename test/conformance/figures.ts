// The figures docs/fidelity.md states, computed from the tables (npm run docs:fidelity writes them).
import { Table } from './runner';

/** The families of the suite, in the order the docs list them. */
export const FAMILIES = ['attachment', 'ordering', 'binding', 'chains', 'istioctl', 'validation', 'analyzer', 'ingress', 'basic-auth'] as const;

export const TABLE_START = '<!-- fidelity-table:start (npm run docs:fidelity) -->';
export const TABLE_END = '<!-- fidelity-table:end -->';

/** The table of cases per family, with their sources and how many agree, deviate or are unknown. */
export function fidelityTable(tables: readonly Table[]): string {
  const rows = FAMILIES.map((f) => tables.find((t) => t.family === f)!).filter((t) => t !== undefined);
  const count = (t: Table, s?: string) => t.cases.filter((c) => c.status === s).length;
  const lines = [
    TABLE_START,
    '| family | question | cases | agree | deviation | unknown | sources |',
    '|---|---|---:|---:|---:|---:|---|',
    ...rows.map((t) => `| ${t.family} | ${t.title} | ${t.cases.length} | ${count(t)} | ${count(t, 'deviation')} | ${count(t, 'unknown')} | ${t.sources.map((s) => `\`${s}\``).join('<br>')} |`),
  ];
  const all = rows.flatMap((t) => t.cases);
  lines.push(`| **all** | | **${all.length}** | **${all.filter((c) => c.status === undefined).length}** | **${all.filter((c) => c.status === 'deviation').length}** | **${all.filter((c) => c.status === 'unknown').length}** | |`);
  lines.push(TABLE_END);
  return lines.join('\n');
}

export const SUMMARY_START = '<!-- fidelity-summary -->';
export const SUMMARY_END = '<!-- /fidelity-summary -->';

/** The one-line claim the README states, with its figures. */
export function fidelitySummary(tables: readonly Table[]): string {
  const all = tables.flatMap((t) => t.cases);
  const families = FAMILIES.filter((f) => tables.some((t) => t.family === f)).join(', ');
  return `${SUMMARY_START}${all.length} conformance cases drawn from their source and tests (${families}): ${all.filter((c) => c.status === undefined).length} agree, `
    + `${all.filter((c) => c.status === 'deviation').length} are documented deviations, ${all.filter((c) => c.status === 'unknown').length} are unknown where the evidence does not decide${SUMMARY_END}`;
}

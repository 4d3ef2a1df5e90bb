import { FieldProblem, showValue } from '../rules/finding';

/** `<field>: <message> (got <value>); <fix>` for errors raised before an object exists. */
export function formatProblem(p: FieldProblem): string {
  return `${p.code} ${p.field}: ${p.message} (got ${showValue(p.value)}); ${p.fix}`;
}

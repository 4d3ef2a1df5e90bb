import { FieldProblem, FixWording, fixFor, showValue } from '../rules/finding';

/** `<field>: <message> (got <value>); <fix>` for errors raised before an object exists (fix in the API's words). */
export function formatProblem(p: FieldProblem): string {
  return `${p.code} ${p.field}: ${p.message} (got ${showValue(p.value)}); ${fixFor(p, FixWording.CONSTRUCT)}`;
}

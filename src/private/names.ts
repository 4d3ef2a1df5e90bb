import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { FieldProblem, RuleError, problemToFinding } from '../rules/finding';

/** The namespace an object created under `scope` lands in: explicit, else its chart's, else `default`. */
export function namespaceOf(scope: IConstruct, explicit?: string): string {
  if (explicit !== undefined) return explicit;
  try {
    return Chart.of(scope).namespace ?? 'default';
  } catch {
    return 'default';
  }
}

/** Throws the first problem as a RuleError naming the construct path and the object. */
export function throwIfProblems(scope: IConstruct, kind: string, namespace: string, name: string, problems: FieldProblem[]): void {
  if (problems.length === 0) return;
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length === 0) return;
  const error = new RuleError(problemToFinding({ kind, namespace, name, origin: scope.node.path }, errors[0]));
  // node prints this source line above an uncaught error: keep it short, the message says everything
  throw error; // what is wrong, where, and the fix: see the RuleError line below
}

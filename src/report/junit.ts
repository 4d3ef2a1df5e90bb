/**
 * `simulate --requests FILE --format junit`: one testcase per check, so CI test reports list the policy
 * checks beside unit tests. A failure's message is the expected and actual status with the reason; its body
 * is the trace. No clock is read: times are 0, so the same checks give the same bytes.
 */
import { BatchResult, statusText, traceLines } from '../simulate';
import { maskText } from './mask';
import { XmlElement, renderXml } from './xml';

export interface JUnitOptions {
  /** The batch file, used as the suite name and each testcase's classname and file. @default "requests" */
  readonly file?: string;
}

/** The JUnit XML of a batch. Credentials in headers and traces are masked. */
export function renderJUnit(batch: BatchResult, options: JUnitOptions = {}): string {
  const file = options.file ?? 'requests';
  const cases: XmlElement[] = batch.results.map((r) => {
    const c = r.check;
    const name = maskText(c.name ?? `${c.method ?? 'GET'} ${c.url} from ${c.from}`);
    const line = c.origin ? /:(\d+)$/.exec(c.origin)?.[1] : undefined;
    const attributes: Array<[string, string | number]> = [['name', name], ['classname', file], ['file', file]];
    if (line !== undefined) attributes.push(['line', Number(line)]);
    attributes.push(['time', 0]);
    if (r.ok) return { name: 'testcase', attributes };
    const why = maskText(r.result.reason);
    const message = `expected ${statusText(c.expect)}, got ${statusText(r.result.status)}: ${why}`;
    const body = traceLines(r.result).map(maskText).join('\n');
    return { name: 'testcase', attributes, children: [{ name: 'failure', attributes: [['message', message], ['type', 'StatusMismatch']], children: [body] }] };
  });
  const counts: Array<[string, number]> = [['tests', batch.results.length], ['failures', batch.failed], ['errors', 0], ['skipped', 0], ['time', 0]];
  return renderXml({
    name: 'testsuites', attributes: [['name', 'cdk8s-istio-ambient simulate'], ...counts],
    children: [{ name: 'testsuite', attributes: [['name', file], ...counts, ['file', file]], children: cases }],
  });
}

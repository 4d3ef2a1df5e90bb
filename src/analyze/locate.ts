/**
 * The line and column of each finding's field in its file, for reports that point at a region (SARIF). Reads
 * only the files that have findings, once each.
 */
import * as fs from 'fs';
import { FieldLocator, FieldPosition } from '../loader/locate';
import type { Finding } from '../rules/finding';
import { parseOrigin } from './analyze';

export type { FieldPosition } from '../loader/locate';

/** Positions by finding; a finding whose file cannot be read again, or whose origin is no `file:line`, has none. */
export function locateFindings(findings: readonly Finding[], read: (file: string) => string = (f) => fs.readFileSync(f, 'utf8')): Map<Finding, FieldPosition> {
  const out = new Map<Finding, FieldPosition>();
  const locators = new Map<string, FieldLocator | undefined>();
  for (const f of findings) {
    const pos = parseOrigin(f.origin);
    if (pos.line <= 0) continue;
    if (!locators.has(pos.file)) {
      let locator: FieldLocator | undefined;
      try {
        locator = new FieldLocator(read(pos.file));
      } catch {
        locator = undefined;
      }
      locators.set(pos.file, locator);
    }
    const at = locators.get(pos.file)?.locate(pos.line, pos.item, f.field);
    if (at) out.set(f, at);
  }
  return out;
}

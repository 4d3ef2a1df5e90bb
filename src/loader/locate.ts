/**
 * Where a field of an object is written in its file: the line and column of `spec.targetRefs[0].name` inside
 * the document that starts at a given line. Read on demand (for SARIF regions), with the exact parser, so the
 * loader's fast path stays as it is.
 */
import type { LineCounter } from 'yaml';
import { yamlModule } from './parsers';

/** A 1-based line and column (columns in UTF-16 code units, as SARIF counts them by default). */
export interface FieldPosition {
  readonly line: number;
  readonly column: number;
}

/** `spec.targetRefs[0].name` and `metadata.labels["istio.io/use-waypoint"]` as path segments. */
export function fieldSegments(field: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const m of field.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else {
      try {
        out.push(JSON.parse(m[3]));
      } catch {
        return out;
      }
    }
  }
  return out;
}

/** The parsed documents of one file, to locate several fields in it. */
export class FieldLocator {
  private readonly lines: LineCounter = new (yamlModule().LineCounter)();
  private readonly docs: any[];

  constructor(text: string) {
    let docs: any[] = [];
    try {
      docs = yamlModule().parseAllDocuments(text, { lineCounter: this.lines, uniqueKeys: false }) as any[];
      if (!Array.isArray(docs)) docs = [docs];
    } catch {
      docs = [];
    }
    this.docs = docs;
  }

  /**
   * The position of `field` in the object whose document content starts at `docLine` (List item `item`, or
   * -1): the key of the deepest part of the path that exists, or the object's first line when none does.
   * Undefined when no document starts there.
   */
  public locate(docLine: number, item: number, field: string): FieldPosition | undefined {
    const doc = this.docs.find((d) => d.contents && Array.isArray(d.contents.range) && this.pos(d.contents.range[0]).line === docLine);
    if (!doc) return undefined;
    const { isMap, isScalar, isSeq } = yamlModule();
    let node: any = doc.contents;
    if (item >= 0) {
      const items = isMap(node) ? (node.get('items', true) as any) : undefined;
      if (!isSeq(items) || !items.items[item]) return this.pos(node.range[0]);
      node = items.items[item];
    }
    let at = this.pos(node.range[0]);
    for (const seg of fieldSegments(field)) {
      if (typeof seg === 'number') {
        if (!isSeq(node) || !node.items[seg]) break;
        node = node.items[seg];
        if (Array.isArray(node.range)) at = this.pos(node.range[0]);
      } else {
        if (!isMap(node)) break;
        const pair: any = node.items.find((p: any) => isScalar(p.key) && String(p.key.value) === seg);
        if (!pair) break;
        if (Array.isArray(pair.key.range)) at = this.pos(pair.key.range[0]);
        node = pair.value;
        if (!node || typeof node !== 'object') break;
      }
    }
    return at;
  }

  private pos(offset: number): FieldPosition {
    const p = this.lines.linePos(offset);
    return { line: p.line, column: p.col };
  }
}

// Run by shapes.test.ts in a child started with --allow-natives-syntax: builds objects the way the library does
// and prints, as JSON, which of them do not share V8's hidden class with their like (the parent asserts none).
import { ApiObject, Testing } from 'cdk8s';
import { merged } from '../../src/model/merged';
import { renderApiObject } from '../../src/gitops/fast-render';
import { SeedScenario } from '../../src/samples/seed-scenario';

// `%HaveSameMap(a, b)`: parsed only under --allow-natives-syntax, so built at run time
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const out: { merged: boolean; unshared: string[]; compared: number } = { merged: true, unshared: [], compared: 0 };

// inputs of two shapes, first in this process: V8 shares the classes of a spread's clones when its call site sees
// one shape, or many (megamorphic), but not two to four (polymorphic), which is what the props of a few kinds are
const shapes = [{ a: 1 }, { a: 1, b: 2 }];
const viaMerged: object[] = [];
for (let i = 0; i < 2000; i++) {
  const p = { ...shapes[i % shapes.length] };
  viaMerged.push(merged(p, { z: 1 }));
}
// past the first calls, whose results V8 builds before its caches settle
for (let i = 100; i + 2 < 1994; i += 97) {
  out.merged &&= sameMap(viaMerged[i], viaMerged[i + 2]) && sameMap(viaMerged[i], viaMerged[1994 + (i % 2)]);
}

// every namespace of the seed builds the same objects: their props, and their renders, must share classes
const app = Testing.app();
const n = 12;
for (let i = 0; i < n; i++) new SeedScenario(app, `ns-${i}`, { namespace: `ns-${i}` });
const render = (o: ApiObject) => renderApiObject(o, true) ?? o.toJson();
const byPath = new Map<string, ApiObject[]>();
for (const c of app.node.findAll()) {
  if (!ApiObject.isApiObject(c)) continue;
  const key = c.node.path.replace(/^ns-\d+/, 'ns-N');
  byPath.set(key, [...(byPath.get(key) ?? []), c]);
}
/** Every object reachable from `v`, in a fixed order (keys in order, arrays by index). */
const walk = (v: unknown, acc: Array<{ at: string; o: object }> = [], at = ''): Array<{ at: string; o: object }> => {
  if (v === null || typeof v !== 'object') return acc;
  acc.push({ at, o: v });
  if (Array.isArray(v)) v.forEach((x, i) => walk(x, acc, `${at}[${i}]`));
  else for (const [k, x] of Object.entries(v)) walk(x, acc, `${at}.${k}`);
  return acc;
};
for (const [key, objs] of byPath) {
  if (objs.length !== n) continue;
  // the last namespaces against each other: the first ones are built while V8's caches settle
  const [first, ...rest] = objs.slice(-4);
  for (const [what, of] of [['props', (o: ApiObject) => (o as any).props], ['render', (o: ApiObject) => render(o)]] as const) {
    const a = walk(of(first));
    for (const other of rest) {
      const b = walk(of(other));
      a.forEach((x, j) => {
        out.compared++;
        if (b[j] === undefined || b[j].at !== x.at || !sameMap(x.o, b[j].o)) out.unshared.push(`${key} ${what}${x.at}`);
      });
    }
  }
}
out.unshared = [...new Set(out.unshared)];
process.stdout.write(JSON.stringify(out));

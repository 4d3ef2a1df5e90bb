/**
 * Whether a value survives JSON unchanged: the loader's worker threads and the caches send or keep values as
 * JSON only then. No imports, so every layer may use it.
 */

/** Whether JSON.stringify then JSON.parse gives back exactly this value (as the YAML parsers and renders build it). */
export function jsonExact(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    switch (typeof v) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(v) || Object.is(v, -0)) return false;
        continue;
      case 'object':
        if (v === null) continue;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            if (!(i in v)) return false;
            stack.push(v[i]);
          }
          continue;
        }
        if (Object.getPrototypeOf(v) !== Object.prototype || Object.prototype.hasOwnProperty.call(v, '__proto__')) return false;
        for (const k in v) stack.push((v as Record<string, unknown>)[k]);
        continue;
      default:
        return false;
    }
  }
  return true;
}


/**
 * `{ ...base, ...more }`, built so that every result of a call site shares V8's hidden classes.
 *
 * An object literal that opens with a spread is made by cloning the hidden class of the spread object. Where
 * those objects come in a few shapes at that line (two to four: V8's polymorphic case; with one, or with many,
 * the classes are shared), V8 (Node 20) gives each clone a class of its own, and each key added after it a
 * further one. Nothing is shared: each object then carries its own classes, descriptors and key cache, and the
 * code that reads or walks it misses its inline caches. The constructs, the renderer and the model made such
 * objects for every namespace; at 10,000 namespaces they took about 110 MiB of a synth's peak. A literal that
 * opens with an empty object copies the keys into a fresh object along the shared transitions instead, whatever
 * the shapes: the same keys in the same order, with a spread's semantics (an own `__proto__` key stays a key,
 * where `Object.assign` would set the prototype).
 */
export function merged<A extends object, B extends object>(base: A, more: B): A & B {
  return { ...{}, ...base, ...more };
}

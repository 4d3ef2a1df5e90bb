// Reading cited source text: the extents of Go and C++ definitions (functions, tests, types, variables,
// test-table entries), found by a small lexer that skips strings and comments, so a check can ask whether a quote
// or a line is inside the function a citation names.

/** A definition of a name in a source file: what it is, and the text it spans (offsets and 1-based lines). */
export interface Extent {
  readonly what: string;
  readonly start: number;
  readonly end: number;
  readonly startLine: number;
  readonly endLine: number;
  /** Where its documentation (the comment lines right above it) starts. */
  readonly docStart: number;
}

export type Lang = 'go' | 'cpp';

/** The code of a file with strings and comments blanked (same length, newlines kept), and its brace pairs. */
export interface Scanned {
  readonly text: string;
  readonly code: string;
  /** open offset -> close offset, for every `{` of the code. */
  readonly closeOf: Map<number, number>;
  /** every brace pair, by open offset. */
  readonly pairs: ReadonlyArray<readonly [number, number]>;
  /** string literal spans (offsets of the quotes), for test-table entries. */
  readonly strings: ReadonlyArray<readonly [number, number]>;
  readonly lineStarts: readonly number[];
}

export function langOf(file: string): Lang | undefined {
  if (file.endsWith('.go')) return 'go';
  if (/\.(cc|h|cpp|hpp|c)$/.test(file)) return 'cpp';
  return undefined;
}

export function scan(text: string, lang: Lang): Scanned {
  const code = text.split('');
  const strings: Array<[number, number]> = [];
  const stack: number[] = [];
  const pairs: Array<[number, number]> = [];
  const blank = (a: number, b: number) => {
    for (let k = a; k < b; k++) if (code[k] !== '\n') code[k] = ' ';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const n = text[i + 1];
    if (c === '/' && n === '/') {
      const e = text.indexOf('\n', i);
      const end = e < 0 ? text.length : e;
      blank(i, end);
      i = end;
    } else if (c === '/' && n === '*') {
      const e = text.indexOf('*/', i + 2);
      const end = e < 0 ? text.length : e + 2;
      blank(i, end);
      i = end;
    } else if (c === '"' || c === '\'' || (c === '`' && lang === 'go')) {
      let j = i + 1;
      if (c === '`') {
        while (j < text.length && text[j] !== '`') j++;
      } else if (lang === 'cpp' && c === '"' && text[i - 1] === 'R' && text[i + 1] !== undefined) {
        // a C++ raw string R"delim( ... )delim"
        const open = text.indexOf('(', i);
        const delim = text.slice(i + 1, open);
        const close = text.indexOf(`)${delim}"`, open);
        j = close < 0 ? text.length : close + delim.length + 1;
      } else {
        while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      }
      const end = Math.min(j + 1, text.length);
      if (c !== '\'') strings.push([i, end - 1]);
      blank(i + 1, end - 1);
      i = end;
    } else {
      if (c === '{') stack.push(i);
      else if (c === '}' && stack.length > 0) pairs.push([stack.pop()!, i]);
      i++;
    }
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const lineStarts = [0];
  for (let k = 0; k < text.length; k++) if (text[k] === '\n') lineStarts.push(k + 1);
  return { text, code: code.join(''), closeOf: new Map(pairs), pairs, strings, lineStarts };
}

/** The 1-based line of an offset. */
export function lineOf(s: Scanned, offset: number): number {
  let lo = 0;
  let hi = s.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s.lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function extent(s: Scanned, what: string, start: number, end: number): Extent {
  // the comment lines right above a definition are its documentation, and part of what it says
  let doc = lineOf(s, start);
  while (doc > 1 && /^\s*(\/\/|\/?\*)/.test(s.text.slice(s.lineStarts[doc - 2], s.lineStarts[doc - 1]))) doc--;
  return { what, start, end, startLine: lineOf(s, start), endLine: lineOf(s, end), docStart: s.lineStarts[doc - 1] };
}

function escape(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The first `{` at bracket depth 0 from `from`, that opens a body (not `interface{}` or `struct{...}` of a Go type). */
function bodyOpen(s: Scanned, from: number, lang: Lang): number | undefined {
  let depth = 0;
  for (let k = from; k < s.code.length; k++) {
    const c = s.code[k];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0 && c === ';') return undefined;
    else if (depth === 0 && c === '{') {
      if (lang === 'go' && /\b(interface|struct)\s*$/.test(s.code.slice(Math.max(0, k - 12), k))) {
        k = s.closeOf.get(k) ?? k;
        continue;
      }
      return k;
    } else if (depth < 0) return undefined;
  }
  return undefined;
}

/** The innermost brace pair around an offset. */
function enclosing(s: Scanned, offset: number): readonly [number, number] | undefined {
  let best: readonly [number, number] | undefined;
  for (const p of s.pairs) {
    if (p[0] > offset) break;
    if (p[1] > offset && (best === undefined || p[0] > best[0])) best = p;
  }
  return best;
}

/** Every definition of `name` in the file: functions and methods, tests, types, variables and constants, test-table entries. */
export function definitions(s: Scanned, name: string, lang: Lang): Extent[] {
  const out: Extent[] = [];
  const n = escape(name);
  const push = (what: string, at: number, from: number) => {
    const open = s.code[from] === '{' ? from : bodyOpen(s, from, lang);
    const close = open === undefined ? undefined : s.closeOf.get(open);
    if (close !== undefined) out.push(extent(s, what, at, close));
    else out.push(extent(s, what, at, Math.max(at, s.text.indexOf('\n', at) < 0 ? s.text.length - 1 : s.text.indexOf('\n', at) - 1)));
  };
  if (lang === 'go') {
    for (const m of s.code.matchAll(new RegExp(`^func\\s+(\\([^)]*\\)\\s*)?${n}\\s*[[(]`, 'gm'))) push(m[1] ? 'method' : 'func', m.index!, m.index! + m[0].length - 1);
    for (const m of s.code.matchAll(new RegExp(`^type\\s+${n}\\b`, 'gm'))) {
      const eol = s.code.indexOf('\n', m.index!);
      const line = s.code.slice(m.index!, eol < 0 ? undefined : eol);
      if (line.trimEnd().endsWith('{')) push('type', m.index!, m.index! + line.trimEnd().length - 1);
      else out.push(extent(s, 'type', m.index!, m.index! + line.length));
    }
    // package-level var and const, alone or in a var ( ... ) / const ( ... ) block
    for (const m of s.code.matchAll(new RegExp(`^(?:(?:var|const)\\s+${n}\\b|\\t${n}(?:\\s*,\\s*\\w+)*(?:\\s+[\\w.*\\[\\]]+)?\\s*=[^=])`, 'gm'))) {
      if (!m[0].startsWith('var') && !m[0].startsWith('const') && !inGoBlock(s, m.index!)) continue;
      const eol = s.code.indexOf('\n', m.index!);
      const line = s.code.slice(m.index!, eol < 0 ? undefined : eol);
      // a composite literal (`var T = []struct{...}{...}`) spans to its closing brace
      if (line.includes('{')) push(m[0].startsWith('const') ? 'const' : 'var', m.index!, m.index! + m[0].length - 1);
      else out.push(extent(s, 'var or const', m.index!, m.index! + line.length));
    }
    // a function literal given a name inside a function (`makeGateway := func(...) ... {`)
    for (const m of s.code.matchAll(new RegExp(`^[ \\t]+${n}\\s*:?=\\s*func\\s*\\(`, 'gm'))) push('func literal', m.index! + m[0].search(/\S/), m.index! + m[0].length - 1);
    // a method of a type: `Type.Method` reads as the method when the type's own text does not name it
    const dot = name.indexOf('.');
    if (dot > 0) {
      const [type, method] = [escape(name.slice(0, dot)), escape(name.slice(dot + 1))];
      for (const m of s.code.matchAll(new RegExp(`^func\\s+\\([^)]*\\b${type}(?:\\[[^\\]]*\\])?\\)\\s*${method}\\s*[[(]`, 'gm'))) push('method', m.index!, m.index! + m[0].length - 1);
    }
  } else {
    for (const m of s.code.matchAll(new RegExp(`\\bTEST(?:_F|_P)?\\s*\\(\\s*\\w+\\s*,\\s*${n}\\s*\\)`, 'g'))) push('test', m.index!, m.index! + m[0].length);
    for (const m of s.code.matchAll(new RegExp(`(^|[\\s*&>:])((?:\\w+::)*${n})\\s*(?:<[^<>();]*>)?\\s*\\(`, 'gm'))) {
      const at = m.index! + m[1].length;
      const before = s.code.slice(s.lineStarts[lineOf(s, at) - 1], at).trim();
      // a call: the name follows an operator, a keyword or an open bracket
      if (/(^|[=(,!?.]|->|&&|\|\||\breturn|\bif|\bwhile|\bswitch|\bcase|\bnew|\bdelete)$/.test(before) && before !== '') continue;
      const paren = m.index! + m[0].length - 1;
      const closeParen = matchParen(s, paren);
      if (closeParen === undefined) continue;
      const after = /^\s*(?:const\s*|override\s*|noexcept\s*|final\s*|->\s*[\w:<>*& ]+)*\{/.exec(s.code.slice(closeParen + 1, closeParen + 200));
      if (!after) continue;
      const open = closeParen + after[0].length;
      const close = s.closeOf.get(open);
      if (close !== undefined) out.push(extent(s, 'function', at, close));
    }
    for (const m of s.code.matchAll(new RegExp(`^[ \\t]*(?:[\\w:<>,*&]+[ \\t]+)+[*&]*${n}\\s*(?:\\[[^\\]]*\\])?\\s*(=|\\{)`, 'gm'))) {
      if (/^\s*(return|else|case)\b/.test(m[0])) continue;
      push('variable', m.index!, m.index! + m[0].length - 1);
    }
  }
  // a test-table entry: the innermost composite literal around the string "name"
  for (const [a, b] of s.strings) {
    if (s.text.slice(a + 1, b) !== name) continue;
    const around = enclosing(s, a);
    if (around) out.push(extent(s, 'test-table entry', around[0], around[1]));
  }
  // one definition once, the outermost kind first found
  const seen = new Set<string>();
  return out.filter((e) => {
    const k = `${e.start}:${e.end}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function inGoBlock(s: Scanned, offset: number): boolean {
  // the nearest line before it that starts at column 0 opens a var ( or const ( block
  for (let l = lineOf(s, offset) - 1; l >= 1; l--) {
    const line = s.code.slice(s.lineStarts[l - 1], (s.lineStarts[l] ?? s.code.length + 1) - 1);
    if (line.trim() === '' || /^\s/.test(line)) continue;
    return /^(var|const)\s*\($/.test(line.trimEnd());
  }
  return false;
}

function matchParen(s: Scanned, open: number): number | undefined {
  let depth = 0;
  for (let k = open; k < s.code.length; k++) {
    if (s.code[k] === '(') depth++;
    else if (s.code[k] === ')' && --depth === 0) return k;
  }
  return undefined;
}

/** Whether `word` occurs as a whole word in `text`. */
export function hasWord(text: string, word: string): boolean {
  return new RegExp(`(^|[^\\w])${escape(word)}($|[^\\w])`).test(text);
}

/** The 1-based lines where `needle` occurs in `text`. */
export function linesOf(text: string, needle: string, wordOnly = false): number[] {
  const out: number[] = [];
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    if (wordOnly ? hasWord(l, needle) : l.includes(needle)) out.push(i + 1);
  });
  return out;
}

/**
 * Where a quote is in a text: verbatim, except that runs of white space compare as one space (a quote is written on
 * one line) and, when the quote holds no double quote, the text's double quotes are left out (a quote need not
 * repeat a Go string's quotes). Returns the offset in `text`, or -1.
 */
export function findQuote(text: string, quote: string): number {
  const dropQuotes = !quote.includes('"');
  const at: number[] = [];
  let norm = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (dropQuotes && c === '"') continue;
    if (/\s/.test(c)) {
      if (norm.endsWith(' ')) continue;
      norm += ' ';
    } else {
      norm += c;
    }
    at.push(i);
  }
  const q = quote.replace(/\s+/g, ' ');
  const k = norm.indexOf(q);
  return k < 0 ? -1 : at[k];
}

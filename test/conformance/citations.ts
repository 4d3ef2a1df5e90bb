// The citations of the conformance tables, read without any source at hand: where each one is written (file and
// line of the YAML), what it says (repository, ref, path, line, identifiers, quotes, notes), and the lock that
// records which of them `npm run verify:citations` checked against the pinned sources.
import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';

/** One place a citation is written: a table's `sources:` entry or a case's `source:`. */
export interface CitationUse {
  /** The YAML file, relative to the repository root. */
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** `sources`: a table's list of what it reads; `case`: what decides one case. */
  readonly role: 'sources' | 'case';
}

/** A word of a citation, and how it joins the one before it. */
export interface Word {
  readonly kind: 'word';
  readonly value: string;
  /** `first`: the first term; `comma`: after `, `; `and`: after the word `and`; `space`: after a space only. */
  readonly joined: 'first' | 'comma' | 'and' | 'space';
}

/** A `"quoted expression or subtest name"`: found verbatim in the source. */
export interface Quote {
  readonly kind: 'quote';
  readonly value: string;
}

/** A `(free note)`: for the reader, not checked. */
export interface Note {
  readonly kind: 'note';
  readonly value: string;
}

export type Term = Word | Quote | Note;

export interface Citation {
  readonly text: string;
  /** `istio`, `wasmext`, `istio-proxy`, `k8s`, `k8sdns`, `gwapi`. */
  readonly prefix: string;
  readonly ref: string;
  readonly path: string;
  readonly line?: number;
  readonly terms: readonly Term[];
}

/** `prefix@ref:path[:line][ terms]`. */
const HEAD = /^([a-z][a-z0-9-]*)@([\w.-]+):([\w./-]+?)(?::(\d+))?(?: (.*))?$/;

/** Reads a citation, or says in one line what is wrong with it. */
export function parseCitation(text: string): Citation | { error: string } {
  if (typeof text !== 'string') return { error: `a citation must be a string, not ${text === null ? 'null' : typeof text}` };
  const m = HEAD.exec(text);
  if (!m) return { error: 'not of the form <repo>@<ref>:<path>[:<line>] [<identifiers>] ["quote"] [(note)]' };
  const [, prefix, ref, file, line, rest] = m;
  const terms = parseTerms(rest ?? '');
  if ('error' in terms) return terms;
  if (line !== undefined && (Number(line) < 1 || !Number.isSafeInteger(Number(line)))) return { error: `line ${line} is not a line number` };
  return { text, prefix, ref, path: file, ...(line !== undefined ? { line: Number(line) } : {}), terms: terms.terms };
}

function parseTerms(rest: string): { terms: Term[] } | { error: string } {
  const terms: Term[] = [];
  let joined: Word['joined'] = 'first';
  let i = 0;
  while (i < rest.length) {
    const c = rest[i];
    if (c === ' ') {
      i++;
      continue;
    }
    if (c === ',') {
      joined = 'comma';
      i++;
      continue;
    }
    if (c === '(') {
      // a note runs to its matching parenthesis, whatever it holds (quotes included)
      let depth = 0;
      let j = i;
      for (; j < rest.length; j++) {
        if (rest[j] === '(') depth++;
        else if (rest[j] === ')' && --depth === 0) break;
      }
      if (j >= rest.length) return { error: `the note at column ${i + 1} has no closing parenthesis` };
      terms.push({ kind: 'note', value: rest.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (c === '"') {
      // a quote ends at the first `"` followed by the end, a space, a comma or a closing parenthesis, so a quote
      // may hold quotes of its own (`"must be of type string: "null""`)
      let j = i + 1;
      for (; j < rest.length; j++) {
        if (rest[j] === '"' && (j + 1 === rest.length || ' ,)'.includes(rest[j + 1]))) break;
      }
      if (j >= rest.length || j === i + 1) return { error: `the quote at column ${i + 1} is ${j === i + 1 ? 'empty' : 'not closed'}` };
      terms.push({ kind: 'quote', value: rest.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < rest.length && !' ,'.includes(rest[j])) j++;
    const value = rest.slice(i, j);
    if (value.includes('"') || value.includes('(') || value.includes(')')) return { error: `${JSON.stringify(value)} is neither a word, a "quote" nor a (note)` };
    if (value === 'and') {
      joined = 'and';
    } else {
      terms.push({ kind: 'word', value, joined: terms.length === 0 ? 'first' : joined });
      joined = 'space';
    }
    i = j;
  }
  return { terms };
}

/** Every citation of the tables in `dir` (`sources:` entries and each case's `source:`), in file and line order. */
export function collectCitations(dir: string, root: string): { uses: CitationUse[]; errors: string[] } {
  const uses: CitationUse[] = [];
  const errors: string[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
    const full = path.join(dir, f);
    const rel = path.relative(root, full).split(path.sep).join('/');
    const counter = new LineCounter();
    const doc = parseDocument(fs.readFileSync(full, 'utf8'), { lineCounter: counter });
    if (doc.errors.length > 0) {
      errors.push(`${rel}:${counter.linePos(doc.errors[0].pos[0]).line}: ${doc.errors[0].message.split('\n')[0]}`);
      continue;
    }
    const at = (node: any): number => counter.linePos(node?.range?.[0] ?? 0).line;
    const add = (node: unknown, what: string, where: any, role: CitationUse['role']) => {
      if (isScalar(node) && typeof node.value === 'string') uses.push({ file: rel, line: at(node), text: node.value, role });
      else errors.push(`${rel}:${at(node ?? where)}: ${what} is not a string`);
    };
    const sources = doc.get('sources', true);
    if (sources !== undefined) {
      if (isSeq(sources)) for (const s of sources.items) add(s, 'a sources entry', sources, 'sources');
      else errors.push(`${rel}:${at(sources)}: sources is not a list`);
    }
    const cases = doc.get('cases', true);
    if (isSeq(cases)) {
      for (const c of cases.items) {
        if (!isMap(c)) {
          errors.push(`${rel}:${at(c)}: a case is not a mapping`);
          continue;
        }
        const s = c.get('source', true);
        if (s === undefined) errors.push(`${rel}:${at(c)}: the case has no source`);
        else add(s, 'source', c, 'case');
      }
    } else if (cases !== undefined) {
      errors.push(`${rel}:${at(cases)}: cases is not a list`);
    }
  }
  return { uses, errors };
}

/** A file the citations name, as read at its ref. */
export interface LockedFile {
  /** The repository on GitHub, `owner/name`. */
  readonly repository: string;
  /** The ref as cited (tag or abbreviated commit). */
  readonly ref: string;
  /** The commit the ref names. */
  readonly commit: string;
  /** The path in that repository (a citation of Kubernetes' staging tree names the published repository's path). */
  readonly path: string;
  /** The git blob id of the file at that commit. */
  readonly blob: string;
}

/** One distinct citation and what was verified of it. */
export interface LockedCitation {
  readonly citation: string;
  /** The key of its file in `files` (`prefix@ref:path`). */
  readonly file: string;
  /** What was checked, one line each (`func Name: lines 10-40`, `"quote" in Name: line 12`, ...). */
  readonly verified: readonly string[];
}

export interface CitationLock {
  readonly comment: string;
  readonly files: Record<string, LockedFile>;
  readonly citations: readonly LockedCitation[];
}

export const LOCK = path.join(__dirname, 'citations.lock.json');

/** The file a citation names, as the lock keys it. */
export function fileKey(c: Citation): string {
  return `${c.prefix}@${c.ref}:${c.path}`;
}

/** What keeps the lock from matching the tables: citations never verified, and locked ones no case uses. */
export function lockProblems(uses: readonly CitationUse[], lock: CitationLock): string[] {
  const problems: string[] = [];
  const locked = new Map(lock.citations.map((c) => [c.citation, c]));
  const used = new Set(uses.map((u) => u.text));
  const reported = new Set<string>();
  for (const u of uses) {
    if (locked.has(u.text) || reported.has(u.text)) continue;
    reported.add(u.text);
    problems.push(`${u.file}:${u.line}: ${u.text}: not in ${path.basename(LOCK)}; verify it (npm run verify:citations -- --write)`);
  }
  for (const c of lock.citations) {
    if (!used.has(c.citation)) problems.push(`${path.basename(LOCK)}: ${c.citation}: no case cites it; re-write the lock (npm run verify:citations -- --write)`);
    if (lock.files[c.file] === undefined) problems.push(`${path.basename(LOCK)}: ${c.citation}: its file ${c.file} is not among the lock's files`);
    const parsed = parseCitation(c.citation);
    if (!('error' in parsed) && fileKey(parsed) !== c.file) problems.push(`${path.basename(LOCK)}: ${c.citation}: locked under ${c.file}, but it names ${fileKey(parsed)}`);
  }
  const files = new Set(lock.citations.map((c) => c.file));
  for (const k of Object.keys(lock.files)) if (!files.has(k)) problems.push(`${path.basename(LOCK)}: file ${k}: no citation names it`);
  return problems;
}

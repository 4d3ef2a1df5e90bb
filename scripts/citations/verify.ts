// Checks every citation of the conformance tables against the pinned sources, read from local git dirs: the
// repository and ref are known, the file exists at that ref, and each identifier, quote and line says what the
// citation form claims (see docs/fidelity.md, "How the citations are checked").
import { execFileSync } from 'child_process';
import { parseAllDocuments } from 'yaml';
import { Citation, CitationLock, CitationUse, LockedCitation, LockedFile, Term, fileKey, parseCitation } from '../../test/conformance/citations';
import { Extent, Scanned, definitions, findQuote, hasWord, langOf, lineOf, linesOf, scan } from './sources';

/** A repository the citations read, and how the checker is told where its git dir is. */
export interface Repository {
  readonly id: string;
  readonly repository: string;
  readonly flag: string;
  readonly env: string;
}

export const REPOSITORIES: readonly Repository[] = [
  { id: 'istio', repository: 'istio/istio', flag: '--istio', env: 'ISTIO_GIT_DIR' },
  { id: 'wasmext', repository: 'istio-ecosystem/wasm-extensions', flag: '--wasmext', env: 'WASMEXT_GIT_DIR' },
  { id: 'proxy', repository: 'istio/proxy', flag: '--proxy', env: 'PROXY_GIT_DIR' },
  { id: 'k8s-api', repository: 'kubernetes/api', flag: '--k8s-api', env: 'K8S_API_GIT_DIR' },
  { id: 'k8s-apimachinery', repository: 'kubernetes/apimachinery', flag: '--k8s-apimachinery', env: 'K8S_APIMACHINERY_GIT_DIR' },
  { id: 'k8sdns', repository: 'kubernetes/dns', flag: '--k8sdns', env: 'K8SDNS_GIT_DIR' },
  { id: 'gwapi', repository: 'kubernetes-sigs/gateway-api', flag: '--gwapi', env: 'GWAPI_GIT_DIR' },
];

/** Where a citation's file is read: which repository, which git revision, which path. */
interface Location {
  readonly repo: Repository;
  /** What `git rev-parse` is given. */
  readonly rev: string;
  readonly path: string;
  /** A text the file must hold for the ref to mean what the citation says (k8sdns: the schema version). */
  readonly states?: string;
}

const repo = (id: string) => REPOSITORIES.find((r) => r.id === id)!;

/**
 * The known refs. Tags are read as tags; istio/proxy is cited at two commits (the module's WORKSPACE pins one we could
 * not read, docs/fidelity.md says which). The Kubernetes DNS specification's 1.1.0 is the schema version the document
 * states, not a tag: it is read at the last commit that changed the file, which states that version. Kubernetes
 * itself (k8s@v1.28.0) is read through the repositories its staging trees are published to, at v0.28.0 (the tag the
 * publishing bot gives the tree of v1.28.0); the rest of kubernetes/kubernetes is too large to bring here.
 */
export function locate(c: Citation): Location | { error: string } {
  switch (`${c.prefix}@${c.ref}`) {
    case 'istio@1.30.3': return { repo: repo('istio'), rev: 'refs/tags/1.30.3', path: c.path };
    case 'wasmext@1.12.0': return { repo: repo('wasmext'), rev: 'refs/tags/1.12.0', path: c.path };
    case 'istio-proxy@12e56f7': return { repo: repo('proxy'), rev: '12e56f7fa8b5c611f9d523607b705711c360f856', path: c.path };
    case 'istio-proxy@2d1ad86': return { repo: repo('proxy'), rev: '2d1ad861a5ba0b481add562b69b58fa31c59ae7d', path: c.path };
    case 'k8sdns@1.1.0': return { repo: repo('k8sdns'), rev: '4f2becc8aeb54116398e6a33e34af756db5b9fe7', path: c.path, states: 'version 1.1.0 of the schema' };
    case 'gwapi@v1.5.1': return { repo: repo('gwapi'), rev: 'refs/tags/v1.5.1', path: c.path };
    case 'k8s@v1.28.0': {
      const m = /^staging\/src\/k8s\.io\/(api|apimachinery)\/(.+)$/.exec(c.path);
      if (!m) return { error: 'only the staging trees of kubernetes/kubernetes are checked (staging/src/k8s.io/api/..., staging/src/k8s.io/apimachinery/...): cite the file there, or another source' };
      return { repo: repo(`k8s-${m[1]}`), rev: 'refs/tags/v0.28.0', path: m[2] };
    }
    default: return { error: `${c.prefix}@${c.ref} is not a known repository and ref (known: istio@1.30.3, wasmext@1.12.0, istio-proxy@12e56f7, istio-proxy@2d1ad86, k8s@v1.28.0, k8sdns@1.1.0, gwapi@v1.5.1)` };
  }
}

/** Reads files at refs from a repository's git dir. */
class GitDir {
  private readonly commits = new Map<string, string | { error: string }>();
  private readonly blobs = new Map<string, { blob: string; text: string } | { error: string }>();
  readonly broken?: string;

  constructor(readonly dir: string) {
    try {
      this.git(['rev-parse', '--git-dir']);
    } catch (e) {
      this.broken = `${dir} is not a git dir (${firstLine(e)})`;
    }
  }

  private git(args: string[]): string {
    return execFileSync('git', ['--git-dir', this.dir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  commit(rev: string): string | { error: string } {
    if (!this.commits.has(rev)) {
      try {
        this.commits.set(rev, this.git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).trim());
      } catch {
        this.commits.set(rev, { error: `${rev.replace(/^refs\/tags\//, 'tag ')} is not in ${this.dir}` });
      }
    }
    return this.commits.get(rev)!;
  }

  file(commit: string, file: string): { blob: string; text: string } | { error: string } {
    const k = `${commit}:${file}`;
    if (!this.blobs.has(k)) {
      try {
        const blob = this.git(['rev-parse', '--verify', '--quiet', `${commit}:${file}`]).trim();
        const type = this.git(['cat-file', '-t', blob]).trim();
        if (type !== 'blob') throw new Error(`a ${type}, not a file`);
        this.blobs.set(k, { blob, text: this.git(['cat-file', 'blob', blob]) });
      } catch (e) {
        this.blobs.set(k, { error: `no file ${file} at that ref${/not a file/.test(String(e)) ? ` (${firstLine(e)})` : ''}` });
      }
    }
    return this.blobs.get(k)!;
  }
}

function firstLine(e: unknown): string {
  // git's own complaint (stderr) says more than the command line it failed on
  const stderr = (e as { stderr?: unknown })?.stderr;
  const s = typeof stderr === 'string' && stderr.trim() !== '' ? stderr : e instanceof Error ? e.message : String(e);
  return s.split('\n').find((l) => l.trim() !== '')?.trim() ?? s;
}

/** What checking one distinct citation found. */
export interface Checked {
  readonly citation: string;
  readonly problems: string[];
  readonly verified: string[];
  readonly file?: { key: string; locked: LockedFile };
  /** For a `:line` citation: the cited line, for a human to judge. */
  readonly line?: { number: number; text: string };
}

/** How far from a named test's first line a `:line` citation may point. */
export const LINE_SLACK = 3;

/** Checks the distinct citations of `uses` with the git dirs given (by repository id). */
export function verifyCitations(uses: readonly CitationUse[], gitDirs: Readonly<Record<string, string | undefined>>): Checked[] {
  const dirs = new Map<string, GitDir>();
  const distinct = [...new Set(uses.map((u) => u.text))];
  const byCases = new Set(uses.filter((u) => u.role === 'case').map((u) => u.text));
  return distinct.map((text) => {
    const problems: string[] = [];
    const verified: string[] = [];
    const parsed = parseCitation(text);
    if ('error' in parsed) return { citation: text, problems: [parsed.error], verified };
    // a table's sources may list a file; a case cites what in it decides the case
    if (byCases.has(text) && parsed.line === undefined && !parsed.terms.some((t) => t.kind !== 'note')) {
      problems.push('a case must cite what decides it: a function, test, object or section, a "quote", or a :line (a note is not checked)');
    }
    const where = locate(parsed);
    if ('error' in where) return { citation: text, problems: [where.error], verified };
    const dir = gitDirs[where.repo.id];
    if (!dir) return { citation: text, problems: [`no git dir for ${where.repo.repository}: pass ${where.repo.flag} <git-dir> or set ${where.repo.env}`], verified };
    if (!dirs.has(dir)) dirs.set(dir, new GitDir(dir));
    const git = dirs.get(dir)!;
    if (git.broken) return { citation: text, problems: [`${where.repo.flag}: ${git.broken}`], verified };
    const commit = git.commit(where.rev);
    if (typeof commit !== 'string') return { citation: text, problems: [`${commit.error} (${where.repo.flag})`], verified };
    const file = git.file(commit, where.path);
    if ('error' in file) return { citation: text, problems: [`${file.error} (${where.repo.repository} at ${parsed.ref})`], verified };
    if (where.states !== undefined && !file.text.includes(where.states)) problems.push(`${where.path} at ${commit.slice(0, 12)} does not state "${where.states}", so it is not ${parsed.ref}`);
    verified.push(`file ${where.path} at ${commit.slice(0, 12)}`);
    const lock: LockedFile = { repository: where.repo.repository, ref: parsed.ref, commit, path: where.path, blob: file.blob };
    const result = checkText(parsed, file.text);
    problems.push(...result.problems);
    verified.push(...result.verified);
    return { citation: text, problems, verified, file: { key: fileKey(parsed), locked: lock }, ...(result.line ? { line: result.line } : {}) };
  });
}

interface TextResult {
  problems: string[];
  verified: string[];
  line?: { number: number; text: string };
}

/** Checks what a citation says of a file's text (exported for the tests: no git needed). */
export function checkText(c: Citation, text: string): TextResult {
  const lang = langOf(c.path);
  if (lang) return checkCode(c, text, scan(text, lang), lang);
  if (/\.(ya?ml|golden)$/.test(c.path)) {
    return /^kind:\s*CustomResourceDefinition\s*$/m.test(text) ? checkCrd(c, text) : checkManifests(c, text);
  }
  if (c.path.endsWith('.md')) return checkMarkdown(c, text);
  const r: TextResult = { problems: [], verified: [] };
  for (const t of c.terms) {
    if (t.kind === 'quote') quoteIn(r, t.value, text, 'the file');
    else if (t.kind === 'note') note(r, t);
    else r.problems.push(`cannot check the word ${t.value} in a file of this kind: quote it`);
  }
  return r;
}

function note(r: TextResult, t: Term) {
  r.verified.push(`note, not checked: (${t.value})`);
}

function range(e: { startLine: number; endLine: number }): string {
  return e.startLine === e.endLine ? `line ${e.startLine}` : `lines ${e.startLine}-${e.endLine}`;
}

/** The line (1-based) of a quote in a text, or undefined. */
function quoteLine(text: string, q: string): number | undefined {
  const k = findQuote(text, q);
  return k < 0 ? undefined : text.slice(0, k).split('\n').length;
}

function quoteIn(r: TextResult, q: string, text: string, scope: string, offsetLine = 1, whole?: string) {
  const at = quoteLine(text, q);
  if (at !== undefined) r.verified.push(`"${q}" in ${scope}: line ${at + offsetLine - 1}`);
  else r.problems.push(`"${q}" is not in ${scope}${whole !== undefined ? ` (${elsewhereQuote(whole, q)})` : ''}`);
}

function elsewhereWord(text: string, w: string): string {
  const at = linesOf(text, w, true);
  if (at.length === 0) return 'not in the file';
  return `the file has it at line${at.length > 1 ? 's' : ''} ${at.slice(0, 5).join(', ')}${at.length > 5 ? ', ...' : ''}`;
}

function elsewhereQuote(text: string, q: string): string {
  const at = quoteLine(text, q);
  return at === undefined ? 'not in the file' : `the file has it at line ${at}`;
}

function checkCode(c: Citation, text: string, s: Scanned, lang: 'go' | 'cpp'): TextResult {
  const r: TextResult = { problems: [], verified: [] };
  let current: { name: string; defs: Extent[] } | undefined;
  let first: { name: string; defs: Extent[] } | undefined;
  const primary = (name: string) => {
    const defs = definitions(s, name, lang);
    if (defs.length === 0) {
      const at = linesOf(text, name, true);
      r.problems.push(`${name} is not defined in ${c.path}${at.length > 0 ? ` (it only occurs, at line${at.length > 1 ? 's' : ''} ${at.slice(0, 5).join(', ')})` : ''}`);
      current = undefined;
      return;
    }
    current = { name, defs };
    first ??= current;
    r.verified.push(`${[...new Set(defs.map((d) => d.what))].join(' and ')} ${name}: ${defs.map(range).join(', ')}`);
  };
  const scopeText = (d: Extent) => text.slice(d.docStart, d.end + 1);
  const lineIn = (d: Extent, k: number) => lineOf(s, d.docStart + k);
  for (const t of c.terms) {
    if (t.kind === 'note') {
      note(r, t);
    } else if (t.kind === 'quote') {
      if (!current) {
        quoteIn(r, t.value, text, c.path);
        continue;
      }
      // a whole string literal (a subtest's name) first, then the quote anywhere
      const literal = current.defs.find((d) => scopeText(d).includes(`"${t.value}"`));
      const hit = literal ?? current.defs.find((d) => findQuote(scopeText(d), t.value) >= 0);
      if (literal) r.verified.push(`"${t.value}" in ${current.name}: the string at line ${lineIn(literal, scopeText(literal).indexOf(`"${t.value}"`))}`);
      else if (hit) r.verified.push(`"${t.value}" in ${current.name}: line ${lineIn(hit, findQuote(scopeText(hit), t.value))}`);
      else r.problems.push(`"${t.value}" is not in ${current.name} (${current.defs.map(range).join(', ')}; ${elsewhereQuote(text, t.value)})`);
    } else if (t.joined === 'space' && current) {
      // a word after a definition, with no comma: a name that definition uses
      const cur = current;
      const hit = cur.defs.find((d) => hasWord(scopeText(d), t.value));
      if (hit) r.verified.push(`${t.value} in ${cur.name}: line ${lineOf(s, hit.docStart) + linesOf(scopeText(hit), t.value, true)[0] - 1}`);
      else r.problems.push(`${t.value} does not occur in ${cur.name} (${cur.defs.map(range).join(', ')}; ${elsewhereWord(text, t.value)})`);
    } else if (t.joined === 'space') {
      r.problems.push(`${t.value} follows nothing that is defined`);
    } else {
      // `Type.Field`: the type is defined, the field occurs in it
      const [head, ...fields] = t.value.split('.');
      if (fields.length === 1 && definitions(s, t.value, lang).some((d) => d.what === 'method')) {
        primary(t.value);
        continue;
      }
      primary(head);
      for (const f of fields) {
        if (!current) break;
        const cur: { name: string; defs: Extent[] } = current;
        const hit = cur.defs.find((d) => hasWord(scopeText(d), f));
        if (hit) r.verified.push(`${f} in ${cur.name}: line ${lineOf(s, hit.docStart) + linesOf(scopeText(hit), f, true)[0] - 1}`);
        else r.problems.push(`${f} does not occur in ${cur.name} (${cur.defs.map(range).join(', ')})`);
      }
    }
  }
  if (c.line !== undefined) {
    const lines = text.split('\n');
    const l = lines[c.line - 1];
    if (l === undefined || c.line > lines.length - (text.endsWith('\n') ? 1 : 0)) {
      r.problems.push(`line ${c.line} is past the end of ${c.path} (${lines.length - (text.endsWith('\n') ? 1 : 0)} lines)`);
      return r;
    }
    r.line = { number: c.line, text: l.trim() };
    if (l.trim() === '') r.problems.push(`line ${c.line} is blank`);
    // the lock records where, not the source's text (--show-lines prints it)
    else r.verified.push(`line ${c.line}: not blank`);
    if (first) {
      const near = first.defs.filter((d) => Math.abs(d.startLine - c.line!) <= LINE_SLACK);
      if (near.length === 0) r.problems.push(`line ${c.line} (${JSON.stringify(l.trim())}) is not where ${first.name} starts (${first.defs.map(range).join(', ')})`);
      else r.verified.push(`line ${c.line}: ${first.name} starts at line ${near[0].startLine}`);
    }
  }
  return r;
}

interface Located {
  readonly value: any;
  readonly line: number;
}

function checkCrd(c: Citation, text: string): TextResult {
  const r: TextResult = { problems: [], verified: [] };
  const words = c.terms.filter((t) => t.kind === 'word');
  const kind = words[0]?.value;
  if (!kind) {
    for (const t of c.terms) if (t.kind === 'quote') quoteIn(r, t.value, text, c.path);
    return r;
  }
  let crds: any[];
  try {
    crds = parseAllDocuments(text).map((d) => d.toJS({ maxAliasCount: 1000 })).filter((d) => d?.kind === 'CustomResourceDefinition');
  } catch (e) {
    return { problems: [`${c.path} is not YAML the checker can read (${firstLine(e)})`], verified: [] };
  }
  const crd = crds.find((d) => d?.spec?.names?.kind === kind);
  if (!crd) return { problems: [`no CustomResourceDefinition of kind ${kind} in ${c.path}`], verified: [] };
  r.verified.push(`CustomResourceDefinition ${crd.metadata?.name} (kind ${kind})`);
  const field = words[1]?.value;
  const keyword = words[2]?.value;
  const afterKeyword = keyword === undefined ? undefined : c.terms[c.terms.indexOf(words[2]) + 1];
  const value = afterKeyword && (afterKeyword.kind === 'quote' || (afterKeyword.kind === 'word' && afterKeyword.joined === 'space')) ? afterKeyword : undefined;
  if (words.length > 4 || (words.length === 4 && value !== words[3])) r.problems.push(`write ${kind} <field> [<keyword> [<value>]] for a CRD: ${words.slice(value === words[3] ? 4 : 3).map((w) => w.value).join(' ')} is too much`);
  let versions = 0;
  for (const v of crd.spec?.versions ?? []) {
    const spec = v?.schema?.openAPIV3Schema?.properties?.spec;
    if (!spec) continue;
    versions++;
    const name = `${kind} ${v.name}`;
    let node: Located = { value: spec, line: 0 };
    let parent: any = v.schema.openAPIV3Schema;
    let last = 'spec';
    if (field === undefined) r.verified.push(`${name}: spec schema`);
    else {
      const segments = field.replace(/^spec\./, '').split('.');
      let ok = true;
      for (const seg of segments) {
        const m = /^([^[\]]+)((?:\[\])*)$/.exec(seg);
        if (!m) {
          r.problems.push(`${field}: ${seg} is not a field name (write a.b[].c)`);
          ok = false;
          break;
        }
        parent = node.value;
        last = m[1];
        let next = node.value?.properties?.[m[1]];
        for (let k = 0; k < m[2].length / 2 && next !== undefined; k++) {
          parent = next;
          next = next.items;
        }
        if (next === undefined) {
          r.problems.push(`${name} has no field ${field} (at ${seg})`);
          ok = false;
          break;
        }
        node = { value: next, line: 0 };
      }
      if (!ok) continue;
      r.verified.push(`${name}: field ${field}`);
    }
    if (keyword !== undefined) {
      if (keyword === 'required') {
        const req: unknown = parent?.required;
        if (Array.isArray(req) && req.includes(last)) r.verified.push(`${name}: ${last} is required`);
        else r.problems.push(`${name}: ${last} is not among its parent's required fields`);
      } else {
        const own = node.value?.[keyword];
        const of = own !== undefined ? '' : node.value?.additionalProperties?.[keyword] !== undefined ? ' (of its values)' : node.value?.items?.[keyword] !== undefined ? ' (of its items)' : '';
        const found = own ?? node.value?.additionalProperties?.[keyword] ?? node.value?.items?.[keyword];
        if (found === undefined) r.problems.push(`${name}: ${field ?? 'spec'} has no ${keyword}`);
        else if (value !== undefined && String(found) !== value.value && !(Array.isArray(found) && found.map(String).includes(value.value))) {
          r.problems.push(`${name}: ${field ?? 'spec'} has ${keyword} ${JSON.stringify(found)}, not ${value.value}`);
        } else {
          r.verified.push(`${name}: ${field ?? 'spec'} ${keyword}${of} ${JSON.stringify(found)}`);
        }
      }
    }
    const strings = collectStrings(node.value);
    for (const t of c.terms) {
      if (t.kind !== 'quote' || t === value) continue;
      const hit = strings.find((x) => x.includes(t.value));
      if (hit !== undefined) r.verified.push(`${name}: "${t.value}" in the schema of ${field ?? 'spec'}`);
      else r.problems.push(`${name}: "${t.value}" is not in the schema of ${field ?? 'spec'}`);
    }
  }
  for (const t of c.terms) if (t.kind === 'note') note(r, t);
  if (versions === 0) r.problems.push(`no version of ${kind} has a spec schema to check`);
  return r;
}

function collectStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => collectStrings(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => collectStrings(x, out));
  return out;
}

function checkManifests(c: Citation, text: string): TextResult {
  const r: TextResult = { problems: [], verified: [] };
  const words = c.terms.filter((t) => t.kind === 'word');
  let objects: any[] | undefined;
  if (words.length > 0) {
    try {
      objects = parseAllDocuments(text).map((d) => d.toJS({ maxAliasCount: 1000 }));
    } catch (e) {
      r.problems.push(`${c.path} is not YAML the checker can read (${firstLine(e)}): quote what it holds instead`);
    }
  }
  for (let i = 0; i < c.terms.length; i++) {
    const t = c.terms[i];
    if (t.kind === 'note') note(r, t);
    else if (t.kind === 'quote') quoteIn(r, t.value, text, c.path);
    else if (objects) {
      const ref = c.terms[i + 1];
      if (ref?.kind !== 'word' || ref.joined !== 'space') {
        r.problems.push(`write an object as <Kind> <namespace>/<name>: ${t.value} names no object`);
        continue;
      }
      i++;
      const [ns, name] = ref.value.includes('/') ? ref.value.split('/', 2) : [undefined, ref.value];
      const hit = objects.find((o) => o?.kind === t.value && o?.metadata?.name === name
        && (ns === undefined || (o.metadata.namespace ?? 'default') === ns));
      if (hit) r.verified.push(`${t.value} ${ref.value} is in ${c.path}`);
      else r.problems.push(`no ${t.value} ${ref.value} in ${c.path}`);
    }
  }
  return r;
}

function checkMarkdown(c: Citation, text: string): TextResult {
  const r: TextResult = { problems: [], verified: [] };
  let section: { text: string; line: number; title: string } | undefined;
  for (const t of c.terms) {
    if (t.kind === 'note') {
      note(r, t);
    } else if (t.kind === 'quote') {
      if (section) quoteIn(r, t.value, section.text, `section ${section.title}`, section.line, text);
      else quoteIn(r, t.value, text, c.path);
    } else if (/^\d+(\.\d+)*$/.test(t.value)) {
      const lines = text.split('\n');
      const at = lines.findIndex((l) => new RegExp(`^#+\\s+${t.value.replace(/\./g, '\\.')}\\b`).test(l));
      if (at < 0) {
        r.problems.push(`${c.path} has no section ${t.value}`);
        section = undefined;
        continue;
      }
      const level = /^#+/.exec(lines[at])![0].length;
      let end = at + 1;
      while (end < lines.length && !(/^#+\s/.test(lines[end]) && /^#+/.exec(lines[end])![0].length <= level)) end++;
      section = { text: lines.slice(at, end).join('\n'), line: at + 1, title: t.value };
      r.verified.push(`section ${lines[at].replace(/^#+\s+/, '')}: lines ${at + 1}-${end}`);
    } else {
      r.problems.push(`cannot check the word ${t.value} in a Markdown file: name a section number or quote the text`);
    }
  }
  return r;
}

/** The lock of a run in which every citation passed. */
export function lockOf(checked: readonly Checked[]): CitationLock {
  const files: Record<string, LockedFile> = {};
  const citations: LockedCitation[] = [];
  for (const c of [...checked].sort((a, b) => (a.citation < b.citation ? -1 : a.citation > b.citation ? 1 : 0))) {
    if (!c.file) throw new Error(`${c.citation}: not verified`);
    files[c.file.key] = c.file.locked;
    citations.push({ citation: c.citation, file: c.file.key, verified: c.verified });
  }
  const sorted: Record<string, LockedFile> = {};
  for (const k of Object.keys(files).sort()) sorted[k] = files[k];
  return {
    comment: 'written by `npm run verify:citations -- --write` when every citation of test/conformance/*.yaml passed; test/conformance/citations.test.ts checks that the tables cite nothing else',
    files: sorted,
    citations,
  };
}

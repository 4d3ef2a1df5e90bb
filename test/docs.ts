// The project's documentation as the tests read it: the README first, then every page under docs/, so a snippet
// or session moved between pages is still checked.
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** The text of README.md and of every docs/*.md page, in that order (pages sorted by name). */
export function docPages(): Array<{ file: string; text: string }> {
  const pages = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...pages].map((file) => ({ file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') }));
}

/** Every page joined, README first. */
export function allDocs(): string {
  return docPages().map((p) => p.text).join('\n');
}

export function readDoc(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

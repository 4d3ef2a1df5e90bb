// Writes the conformance figures into docs/fidelity.md (between its fidelity-table markers).
import * as fs from 'fs';
import * as path from 'path';
import { loadTables } from '../test/conformance/runner';
import { SUMMARY_END, SUMMARY_START, TABLE_END, TABLE_START, fidelitySummary, fidelityTable } from '../test/conformance/figures';
import { CORPUS_END, CORPUS_ROWS, CORPUS_START, corpusFigures } from '../test/conformance/corpus-expected';
import { severityOf } from '../src/rules/codes';

const doc = path.join(__dirname, '..', 'docs', 'fidelity.md');
const text = fs.readFileSync(doc, 'utf8');
const start = text.indexOf(TABLE_START);
const end = text.indexOf(TABLE_END);
if (start < 0 || end < start) throw new Error(`${doc}: the fidelity-table markers are missing`);
let next = text.slice(0, start) + fidelityTable(loadTables()) + text.slice(end + TABLE_END.length);
// the corpus figures come from the table corpus.test.ts holds the corpus to
const cs = next.indexOf(CORPUS_START);
const ce = next.indexOf(CORPUS_END);
if (cs < 0 || ce < cs) throw new Error(`${doc}: the corpus-figures markers are missing`);
next = next.slice(0, cs) + corpusFigures(CORPUS_ROWS, severityOf) + next.slice(ce + CORPUS_END.length);
const tmp = `${doc}.tmp`;
fs.writeFileSync(tmp, next);
fs.renameSync(tmp, doc);
process.stdout.write(`${doc} updated\n`);

const readme = path.join(__dirname, '..', 'README.md');
const r = fs.readFileSync(readme, 'utf8');
const a = r.indexOf(SUMMARY_START);
const b = r.indexOf(SUMMARY_END);
if (a < 0 || b < a) throw new Error(`${readme}: the fidelity-summary markers are missing`);
const rtmp = `${readme}.tmp`;
fs.writeFileSync(rtmp, r.slice(0, a) + fidelitySummary(loadTables()) + r.slice(b + SUMMARY_END.length));
fs.renameSync(rtmp, readme);
process.stdout.write(`${readme} updated\n`);

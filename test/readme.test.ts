// The docs' TypeScript snippets (README and docs/*.md) compile against the library, and the README's first example
// synthesizes the YAML it shows.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as YAML from 'yaml';
import { RULES } from '../src/rules';
import { RULES_BEGIN, RULES_END, RULES_PAGE, renderRulesSection } from '../scripts/readme-rules';
import { allDocs, readDoc } from './docs';
import { cli } from './support';

const ROOT = path.join(__dirname, '..');
const README = allDocs();
const RULES_DOC = readDoc(RULES_PAGE);
const blocks = (lang: string) => [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
const GEN = path.join(__dirname, '__readme__');

// snippets without imports run inside a scope that provides the names they use
const PRELUDE = `import { App } from 'cdk8s';
import { AmbientNamespace, Bookinfo, HttpBackend, HttpRouteMatch, IngressGateway, WaypointTraffic } from '../../src';
const app = new App();
const ns = new AmbientNamespace(app, 'readme');
const bookinfo = new Bookinfo(new AmbientNamespace(app, 'prelude'), 'Bookinfo');
const someConstruct = bookinfo;
const sharedWaypoint = new AmbientNamespace(app, 'infra').addWaypoint();
void [ns, AmbientNamespace, HttpBackend, HttpRouteMatch, IngressGateway, WaypointTraffic, someConstruct, sharedWaypoint];
`;

function files(): string[] {
  fs.rmSync(GEN, { recursive: true, force: true });
  fs.mkdirSync(GEN, { recursive: true });
  return blocks('ts').map((code, i) => {
    const file = path.join(GEN, `block${i}.ts`);
    const body = code.includes('import ')
      ? code.replace(/from 'cdk8s-istio-ambient(\/[a-z-]+)?'/g, "from '../../src$1'")
      : `${PRELUDE}{\n${code}}\n`;
    fs.writeFileSync(file, `${body}\nexport {};\n`);
    return file;
  });
}

describe('README', () => {
  const generated = files();
  afterAll(() => fs.rmSync(GEN, { recursive: true, force: true }));

  test('every TypeScript snippet type-checks, and the TypeScript examples', () => {
    expect(generated.length).toBeGreaterThan(2);
    // the examples share the snippets' program: one type-check of the library for both
    const examples = [path.join(ROOT, 'examples', 'fleet', 'main.ts')];
    const program = ts.createProgram([...generated, ...examples], { strict: true, noEmit: true, esModuleInterop: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, types: ['node'] });
    const diags = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(diags).toEqual([]);
  });

  test('the first example synthesizes the YAML the README shows', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
    const before = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = outdir;
    try {
      jest.isolateModules(() => require(generated[0]));
    } finally {
      if (before === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = before;
    }
    const written = fs.readdirSync(outdir, { recursive: true }).map(String).filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJS()));
    const shown = YAML.parseAllDocuments(blocks('yaml')[0]).map((d) => d.toJS());
    expect(shown.length).toBe(3);
    for (const doc of shown) {
      const ours = written.filter((w) => w.kind === doc.kind && w.metadata.name === doc.metadata.name);
      expect(ours).toHaveLength(1);
      // the README may omit GitOps annotations; everything it shows must be there
      expect(ours[0]).toMatchObject(doc);
    }
  });

  test('the rules page is what the rule list and the fixtures produce, one heading per code', () => {
    const section = RULES_DOC.slice(RULES_DOC.indexOf(RULES_BEGIN), RULES_DOC.indexOf(RULES_END) + RULES_END.length);
    // regenerate with `npm run docs:rules` when this fails
    expect(section).toBe(renderRulesSection());
    for (const r of RULES) expect(RULES_DOC).toContain(`\n### ${r.code}\n`);
  });

  test('the analyze output shown is what analyze prints on the example', async () => {
    const m = /<!-- analyze-output: npx cdk8s-istio-ambient (analyze [^>]*?) -->\n```text\n\$ [^\n]*\n([\s\S]*?)exit (\d)\n```/.exec(README);
    expect(m).not.toBeNull();
    const { code, output } = await cli(...m![1].split(' '));
    expect(output).toBe(m![2]);
    expect(String(code)).toBe(m![3]);
  });
});

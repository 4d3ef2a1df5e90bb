// The docs' simulate sessions are real: each one re-run against dist/ prints what the README shows
// (file:line origins aside, so a new dist/ layout does not make them stale).
import { allDocs } from '../docs';
import { cli } from '../support';

const README = allDocs();

/** `$ npx cdk8s-istio-ambient simulate ...` blocks: the arguments and the output shown. */
function sessions(): Array<{ args: string[]; shown: string }> {
  return [...README.matchAll(/```console\n([\s\S]*?)```/g)].map((m) => m[1]).flatMap((block) => {
    const lines = block.trimEnd().split('\n');
    let cmd = lines.shift()!;
    while (cmd.endsWith('\\')) cmd = `${cmd.slice(0, -1)} ${lines.shift()!.trim()}`;
    if (!cmd.startsWith('$ npx cdk8s-istio-ambient simulate ') || cmd.includes(';')) return [];
    const args = [...cmd.slice('$ npx cdk8s-istio-ambient '.length).matchAll(/'([^']*)'|(\S+)/g)].map((a) => a[1] ?? a[2]);
    return [{ args, shown: lines.join('\n') }];
  });
}

const normalize = (text: string) => text.trimEnd().replace(/[\w./-]+\.ya?ml:\d+/g, '<file:line>');

describe('README simulate sessions', () => {
  const found = sessions();
  test('there are sessions to check', () => expect(found.length).toBeGreaterThanOrEqual(2));

  test.each(found.map((s) => [s.args.join(' '), s] as const))('%s prints what the README shows', async (_cmd, s) => {
    const { output } = await cli(...s.args);
    expect(normalize(output)).toBe(normalize(s.shown));
  });
});

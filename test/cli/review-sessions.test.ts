// The docs' diff and graph sessions are real: each is re-run and must print what the page shows, exit code included.
import { allDocs } from '../docs';
import { cli } from '../support';

function sessions(): Array<{ args: string[]; shown: string; exit?: string }> {
  return [...allDocs().matchAll(/```console\n([\s\S]*?)```/g)].map((m) => m[1]).flatMap((block) => {
    const lines = block.trimEnd().split('\n');
    let cmd = lines.shift()!;
    while (cmd.endsWith('\\')) cmd = `${cmd.slice(0, -1)} ${lines.shift()!.trim()}`;
    if (!/^\$ npx cdk8s-istio-ambient (diff|graph) /.test(cmd)) return [];
    const withExit = cmd.endsWith('; echo "exit $?"');
    const line = withExit ? cmd.slice(0, -'; echo "exit $?"'.length) : cmd;
    const args = [...line.slice('$ npx cdk8s-istio-ambient '.length).matchAll(/'([^']*)'|(\S+)/g)].map((a) => a[1] ?? a[2]);
    const exit = withExit ? lines.pop()!.replace(/^exit /, '') : undefined;
    return [{ args, shown: lines.join('\n'), exit }];
  });
}

describe('docs diff and graph sessions', () => {
  const found = sessions();
  test('there are sessions to check', () => expect(found.length).toBeGreaterThanOrEqual(1));

  test.each(found.map((s) => [s.args.join(' '), s] as const))('%s prints what the page shows', async (_cmd, s) => {
    const { code, output } = await cli(...s.args);
    expect(output.trimEnd()).toBe(s.shown.trimEnd());
    if (s.exit !== undefined) expect(String(code)).toBe(s.exit);
  });
});

// The goals of issue 18 judged from bench figures: each verdict follows the figure it reads, both ways.
import { GoalInput, NEAR_LINEAR, goalLines, judgeGoals } from '../../bench/goals';

/** One size's figures; `scale` multiplies every time, `rss` every peak. */
function size(namespaces: number, scale: number, rss: number, overrides: { hit?: number; gitHit?: number } = {}): GoalInput {
  const t = (v: number) => v * scale;
  return {
    namespaces,
    objects: namespaces * 24 + 1,
    library: { wall_ms: t(1), peak_rss_mb: rss, phases_ms: { start: 200, construct: t(0.3), render: t(0.2), validate: t(0.2), write: t(0.2) } },
    write_floor: { ms: t(0.5) },
    construct_floor: { ms: t(0.25) },
    resynth_one_namespace_changed: { wall_ms: t(0.9), peak_rss_mb: rss * 1.1, after_construct_ms: t(0.6), phases_ms: { construct: t(0.3), render: t(0.2) } },
    analyze: { ms: t(0.8), peak_rss_mb: rss * 0.7, cli_cache_hit_wall_ms: overrides.hit ?? t(0.2), cli_git_cache_hit_wall_ms: overrides.gitHit ?? t(0.15) },
    simulate: { load_ms: t(0.7), peak_rss_mb: rss * 0.6 },
  };
}

const verdict = (vs: ReturnType<typeof judgeGoals>, goal: RegExp, n: number) => {
  const found = vs.filter((v) => goal.test(v.goal) && v.namespaces === n);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('judgeGoals', () => {
  test('a slow run misses the time goals and names what bounds them; memory under 1 GiB is met', () => {
    // about this machine's figures: synth 10,000 in 13 s, 1,006 MiB
    const vs = judgeGoals([size(1000, 2600, 190), size(3000, 6000, 380), size(10_000, 13_000, 1006)]);
    expect(verdict(vs, /^synth of 10,000 namespaces <= 6 s/, 10_000)).toMatchObject({ met: false, measured: '13000 ms' });
    expect(verdict(vs, /^synth of 10,000 namespaces <= 6 s/, 10_000).bound).toMatch(/^start 200 ms \+ construct floor 3250 ms \+ render 2600 ms = 6050 ms/);
    expect(verdict(vs, /^synth of 10,000 namespaces <= 1 GiB/, 10_000)).toMatchObject({ met: true, measured: '1006 MiB' });
    expect(verdict(vs, /^re-synth of 10,000 namespaces <= 1 GiB/, 10_000)).toMatchObject({ met: false }); // 1,107 MiB
    expect(verdict(vs, /^synth of 3,000 namespaces <= 2 s/, 3000).met).toBe(false);
    expect(verdict(vs, /2\.5x the write floor/, 3000)).toMatchObject({ met: true, measured: '2.00x (floor 3000 ms)' });
    for (const n of [1000, 3000, 10_000]) expect(verdict(vs, /^re-synth after a one-namespace change/, n).met).toBe(false);
    expect(verdict(vs, /^analyze of 10,000 namespaces <= 4 s/, 10_000).met).toBe(false);
    expect(verdict(vs, /^analyze of 10,000 namespaces <= 1 GiB/, 10_000).met).toBe(true);
    expect(verdict(vs, /^simulate's load of 10,000 namespaces <= 4 s/, 10_000).met).toBe(false);
    expect(verdict(vs, /^analyze --cache, unchanged/, 1000)).toMatchObject({ met: true, measured: '520 ms' });
    expect(verdict(vs, /^analyze --cache, unchanged/, 3000).met).toBe(false); // 1,200 ms
    // every figure grows with the objects (13,000 / 2,600 = 5x for 10x the objects)
    for (const name of ['synth', 're-synth', 'analyze', "simulate's load"]) expect(verdict(vs, new RegExp(`^${name} grows near-linearly`), 10_000).met).toBe(true);
  });

  test('a fast run meets them all, and superlinear growth is caught', () => {
    const vs = judgeGoals([size(1000, 500, 100, { hit: 100, gitHit: 90 }), size(3000, 1500, 300, { hit: 300, gitHit: 250 }), size(10_000, 5000, 800, { hit: 900, gitHit: 800 })]);
    expect(vs.filter((v) => !/grows near-linearly|re-synth after/.test(v.goal)).every((v) => v.met === true)).toBe(true);
    expect(verdict(vs, /^re-synth after a one-namespace change/, 1000)).toMatchObject({ met: true, measured: 'construct 150 ms + 300 ms' });
    // 10x the time for about 3.3x the objects is not near-linear
    const superlinear = judgeGoals([size(1000, 500, 100), size(3000, 5000, 300)]);
    expect(verdict(superlinear, /^synth grows near-linearly/, 3000).met).toBe(false);
    expect(NEAR_LINEAR).toBeGreaterThan(1);
  });

  test('only the sizes the run measured are judged; skipped figures are not measured, never met', () => {
    const vs = judgeGoals([size(300, 100, 60, { hit: NaN, gitHit: NaN })]);
    expect(vs.some((v) => v.namespaces !== 300)).toBe(false);
    expect(vs.some((v) => /10,000|3,000/.test(v.goal))).toBe(false);
    expect(verdict(vs, /^analyze --cache, unchanged/, 300)).toMatchObject({ met: null, measured: 'not measured' });
    expect(goalLines(vs).some((l) => l.startsWith('  n/a  analyze --cache, unchanged input'))).toBe(true);
  });
});

/**
 * The goals of issue 18 judged against one bench run: for each goal, what this run measured, whether it is met, and
 * what bounds it on this machine (the parts of the same run that no synth or load can skip). Only the goals of the
 * sizes the run measured are listed: a goal stated for 10,000 namespaces is never guessed from another size, and a
 * figure the run skipped (`--no-cli`, no git) is listed as not measured.
 */

/** The figures of one size that the goals read (a subset of what `measureSize` returns). */
export interface GoalInput {
  readonly namespaces: number;
  readonly objects: number;
  readonly library: { readonly wall_ms: number; readonly peak_rss_mb: number; readonly phases_ms: Readonly<Record<string, number>> };
  readonly write_floor: { readonly ms: number };
  readonly construct_floor: { readonly ms: number };
  readonly resynth_one_namespace_changed: {
    readonly wall_ms: number; readonly peak_rss_mb: number; readonly after_construct_ms: number; readonly phases_ms: Readonly<Record<string, number>>;
  };
  readonly analyze: {
    readonly ms: number; readonly peak_rss_mb: number; readonly cli_cache_hit_wall_ms: number; readonly cli_git_cache_hit_wall_ms: number;
  };
  readonly simulate: { readonly load_ms: number; readonly peak_rss_mb: number };
}

export interface GoalVerdict {
  /** The goal as the issue states it. */
  readonly goal: string;
  readonly namespaces: number;
  /** What this run measured, with its unit. */
  readonly measured: string;
  /** true or false; null when the run did not measure it (a size it did not run, a step it skipped). */
  readonly met: boolean | null;
  /** What no change to the tool can beat on this machine, measured in the same run, where the bench knows it. */
  readonly bound?: string;
}

/** 1 GiB, in the MiB the bench reports peak RSS in. */
const GIB_MB = 1024;
/** Growth counts as near-linear while a figure grows at most this much faster than the number of objects. */
export const NEAR_LINEAR = 1.25;

const ms = (v: number): string => `${Math.round(v)} ms`;
const mb = (v: number): string => `${Math.round(v)} MiB`;
const known = (v: number): boolean => typeof v === 'number' && Number.isFinite(v);

/** Every goal of issue 18 that the sizes of this run can judge, in the issue's order. */
export function judgeGoals(sizes: readonly GoalInput[]): GoalVerdict[] {
  const out: GoalVerdict[] = [];
  const at = (n: number): GoalInput | undefined => sizes.find((s) => s.namespaces === n);
  const limit = (goal: string, n: number, value: number, max: number, unit: (v: number) => string, bound?: string): void => {
    const s = at(n);
    if (!s) return;
    out.push({ goal, namespaces: n, measured: known(value) ? unit(value) : 'not measured', met: known(value) ? value <= max : null, ...(bound ? { bound } : {}) });
  };
  // what every synth pays before any rule runs or any file is written: Node and the modules, cdk8s constructing the
  // objects (its own floor), and rendering each object once
  const synthBound = (s: GoalInput): string => {
    const p = s.library.phases_ms;
    const sum = (p.start ?? 0) + s.construct_floor.ms + (p.render ?? 0);
    return `start ${ms(p.start ?? 0)} + construct floor ${ms(s.construct_floor.ms)} + render ${ms(p.render ?? 0)} = ${ms(sum)} before validation and writing; write floor ${ms(s.write_floor.ms)}`;
  };

  const s10 = at(10_000);
  if (s10) {
    limit('synth of 10,000 namespaces <= 6 s wall', 10_000, s10.library.wall_ms, 6000, ms, synthBound(s10));
    limit('synth of 10,000 namespaces <= 1 GiB peak', 10_000, s10.library.peak_rss_mb, GIB_MB, mb);
    limit('re-synth of 10,000 namespaces <= 1 GiB peak', 10_000, s10.resynth_one_namespace_changed.peak_rss_mb, GIB_MB, mb);
  }
  const s3 = at(3000);
  if (s3) {
    limit('synth of 3,000 namespaces <= 2 s wall', 3000, s3.library.wall_ms, 2000, ms, synthBound(s3));
    const ratio = s3.library.wall_ms / s3.write_floor.ms;
    out.push({ goal: 'synth of 3,000 namespaces <= 2.5x the write floor', namespaces: 3000, measured: `${ratio.toFixed(2)}x (floor ${ms(s3.write_floor.ms)})`, met: known(ratio) ? ratio <= 2.5 : null, bound: synthBound(s3) });
  }
  for (const s of sizes) {
    const r = s.resynth_one_namespace_changed;
    out.push({
      goal: 're-synth after a one-namespace change <= construct phase + 0.5 s', namespaces: s.namespaces,
      measured: `construct ${ms(r.phases_ms.construct ?? 0)} + ${ms(r.after_construct_ms)}`, met: r.after_construct_ms <= 500,
      bound: `render ${ms(r.phases_ms.render ?? 0)} (every object, every synth)`,
    });
  }
  if (s10) {
    limit('analyze of 10,000 namespaces <= 4 s', 10_000, s10.analyze.ms, 4000, ms);
    limit('analyze of 10,000 namespaces <= 1 GiB', 10_000, s10.analyze.peak_rss_mb, GIB_MB, mb);
    limit("simulate's load of 10,000 namespaces <= 4 s", 10_000, s10.simulate.load_ms, 4000, ms);
    limit("simulate's load of 10,000 namespaces <= 1 GiB", 10_000, s10.simulate.peak_rss_mb, GIB_MB, mb);
  }
  for (const s of sizes) {
    limit('analyze --cache, unchanged input, < 1 s', s.namespaces, s.analyze.cli_cache_hit_wall_ms, 999, ms);
    limit('analyze --cache in a git work tree, unchanged input, < 1 s', s.namespaces, s.analyze.cli_git_cache_hit_wall_ms, 999, ms);
  }
  const base = sizes[0];
  for (const s of sizes.slice(1)) {
    const objects = s.objects / base.objects;
    const figures: Array<[string, number, number]> = [
      ['synth', s.library.wall_ms, base.library.wall_ms],
      ['re-synth', s.resynth_one_namespace_changed.wall_ms, base.resynth_one_namespace_changed.wall_ms],
      ['analyze', s.analyze.ms, base.analyze.ms],
      ["simulate's load", s.simulate.load_ms, base.simulate.load_ms],
    ];
    for (const [name, now, then] of figures) {
      const x = now / then;
      out.push({
        goal: `${name} grows near-linearly (at most ${NEAR_LINEAR}x the growth of objects)`, namespaces: s.namespaces,
        measured: `${x.toFixed(2)}x for ${objects.toFixed(2)}x the objects of ${base.namespaces} namespaces`, met: known(x) ? x <= objects * NEAR_LINEAR : null,
      });
    }
  }
  return out;
}

/** The verdicts as lines for the terminal. */
export function goalLines(verdicts: readonly GoalVerdict[]): string[] {
  return verdicts.map((v) => `  ${v.met === null ? 'n/a ' : v.met ? 'met ' : 'no  '} ${v.goal} (${v.namespaces}): ${v.measured}${v.bound ? `; bound: ${v.bound}` : ''}`);
}

/**
 * Silence matcher stall benchmark: the worst event-loop stall a silence regex can cause, measured with
 * perf_hooks.monitorEventLoopDelay while the collector's matcher (collector/src/alerts/linear-regex.ts)
 * evaluates hostile patterns against hostile label values, one evaluation per event-loop turn. Beside it,
 * the backtracking engine the collector used before (`RegExp`) on `(a+)+` at small sizes, to show why.
 * Figures only: this script never fails on a threshold.
 *
 *   node --import tsx test/bench/silence-matcher.ts [--length 65536]
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LinearRegex } from '../../collector/src/alerts/linear-regex.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name}: must be a positive integer`);
  return v;
}

/** Candidates for the worst case: backtracking killers and patterns near the 2,000-state compile cap. */
const PATTERNS = [
  '(a+)+',
  '(a|aa)*b',
  '(.*)*x',
  '(a*)*(b*)*$',
  '(a?){100}a{100}',
  '(.?){100}(.?){100}(.?){100}(.?){100}(.?){100}',
  '((a|b|c|d|e|f|g|h)?){100}x',
  '([a-z0-9_.:-]{0,100}){9}',
];

const length = arg('length', 65_536);
const inputs = [`${'a'.repeat(63)}!`, `${'a'.repeat(length)}!`, 'a'.repeat(length)];

async function worstStallMs(run: () => void, times: number): Promise<{ maxMs: number; perCallMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  let total = 0;
  for (let i = 0; i < times; i++) {
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        const t = performance.now();
        run();
        total += performance.now() - t;
        resolve();
      }),
    );
  }
  h.disable();
  return { maxMs: h.max / 1e6, perCallMs: total / times };
}

async function main(): Promise<void> {
  console.log(
    `silence matcher benchmark: ${PATTERNS.length} patterns x label values of 64 and ${length} characters`,
  );
  console.log(`  load average ${loadavg()[0]?.toFixed(1)} (1 min) at the start`);
  let worst = { pattern: '', input: 0, maxMs: 0 };
  for (const pattern of PATTERNS) {
    const compile = await worstStallMs(() => new LinearRegex(pattern), 20);
    const re = new LinearRegex(pattern);
    for (const input of inputs) {
      const r = await worstStallMs(() => re.test(input), 5);
      console.log(
        `  ${pattern.padEnd(52)} ${String(input.length).padStart(6)} chars: ${r.perCallMs.toFixed(2).padStart(8)} ms per test, event-loop max ${r.maxMs.toFixed(1)} ms (compile ${compile.perCallMs.toFixed(2)} ms)`,
      );
      if (r.maxMs > worst.maxMs) worst = { pattern, input: input.length, maxMs: r.maxMs };
    }
  }
  console.log(
    `  worst stall: ${worst.maxMs.toFixed(1)} ms (${worst.pattern} on ${worst.input} characters); goal < 100 ms`,
  );
  console.log('  the backtracking RegExp the collector used before, (a+)+ on a^n!:');
  const backtracking = /^(?:(a+)+)$/;
  for (const n of [16, 20, 22, 24]) {
    const r = await worstStallMs(() => backtracking.test(`${'a'.repeat(n)}!`), 1);
    console.log(`    n = ${n}: ${r.perCallMs.toFixed(1)} ms (doubles per character; n = 30 is about 34 s)`);
  }
}

await main();

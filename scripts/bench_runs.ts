/**
 * How the benchmarks time commands: each run to completion with its output discarded, many rounds
 * interleaved in a new random order each round, reported as medians and ratios in one table.
 * Shared by `bench.ts` and `bench_picker.ts`.
 *
 * @module
 */

/** Runs a command to completion with output discarded; returns milliseconds. */
export async function timeCommand(argv: readonly string[]): Promise<number> {
  const started = performance.now();
  await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "null",
    stderr: "null",
    stdin: "null",
  }).output();
  return performance.now() - started;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Shuffles `items` in place (Fisher-Yates) and returns them. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** One command's samples, in milliseconds. */
export interface Series {
  readonly name: string;
  readonly samples: number[];
}

/** Prints medians, and each median's ratio to each of `baselines`, as a Markdown table. */
export function printTable(title: string, series: readonly Series[], baselines: readonly string[]) {
  const medians = new Map(series.map((s) => [s.name, median(s.samples)]));
  const header = ["command", "median ms", ...baselines.map((b) => `vs ${b}`)];
  const rows = series.map((s) => [
    s.name,
    medians.get(s.name)!.toFixed(1),
    ...baselines.map((b) =>
      medians.has(b) ? `${(medians.get(s.name)! / medians.get(b)!).toFixed(2)}x` : "-"
    ),
  ]);
  printRows(title, header, rows);
}

/** A titled Markdown table, columns padded, as the README shows it. */
export function printRows(title: string, header: readonly string[], rows: readonly string[][]) {
  console.log(`\n${title}`);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const row of rows) console.log(line(row));
}

/** Runs every command `rounds` times, interleaved in a new random order each round. */
export async function interleaved(
  commands: [string, string[]][],
  rounds: number,
): Promise<Series[]> {
  const series = commands.map(([name]) => ({ name, samples: [] as number[] }));
  for (const [, argv] of commands) await timeCommand(argv); // warm caches
  for (let round = 0; round < rounds; round++) {
    for (const index of shuffle(commands.map((_, i) => i))) {
      series[index].samples.push(await timeCommand(commands[index][1]));
    }
  }
  return series;
}

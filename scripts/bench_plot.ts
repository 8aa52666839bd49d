/**
 * The lookup-cost plot of `deno task bench`: milliseconds against the number of processes on the
 * system, one line per tool, as a hand-written SVG (no plotting library: nothing here runs when
 * portctl does). Pure: series in, SVG text out.
 *
 * @module
 */

/** One tool's medians, one per process count. */
export interface PlotSeries {
  readonly name: string;
  /** `[processes, milliseconds]`, in ascending process order. */
  readonly points: readonly (readonly [number, number])[];
}

/** What the plot says about itself. */
export interface PlotOptions {
  readonly title: string;
  /** A line under the title: date, machine, method. */
  readonly subtitle: string;
}

const WIDTH = 880;
const HEIGHT = 460;
const MARGIN = { left: 70, right: 250, top: 70, bottom: 60 } as const;
const COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A round step for about `count` ticks up to `max`. */
function tickStep(max: number, count: number): number {
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  return step ?? 10 * magnitude;
}

/**
 * The SVG: process counts on a log-2 axis (each doubling one step), milliseconds on a linear one.
 *
 * @example
 * ```ts
 * const svg = lookupPlot([{ name: "ss", points: [[250, 12], [500, 20]] }], {
 *   title: "Lookup time", subtitle: "2026-12-04, 2 cores",
 * });
 * ```
 */
export function lookupPlot(series: readonly PlotSeries[], options: PlotOptions): string {
  const counts = [...new Set(series.flatMap((s) => s.points.map(([n]) => n)))].sort((a, b) =>
    a - b
  );
  const maxMs = Math.max(1, ...series.flatMap((s) => s.points.map(([, ms]) => ms)));
  const step = tickStep(maxMs, 6);
  const top = Math.ceil(maxMs / step) * step;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const low = Math.log2(counts[0] ?? 1);
  const high = Math.log2(counts[counts.length - 1] ?? 2);
  const x = (n: number) =>
    MARGIN.left +
    (high === low ? plotWidth / 2 : ((Math.log2(n) - low) / (high - low)) * plotWidth);
  const y = (ms: number) => MARGIN.top + plotHeight - (ms / top) * plotHeight;
  const f = (v: number) => v.toFixed(1);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
    `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="28" font-size="16" font-weight="bold">${
      escape(options.title)
    }</text>`,
    `<text x="${MARGIN.left}" y="48" fill="#555" font-size="11">${escape(options.subtitle)}</text>`,
  ];
  for (let ms = 0; ms <= top + step / 2; ms += step) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${f(y(ms))}" y2="${
        f(y(ms))
      }" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 8}" y="${f(y(ms) + 4)}" text-anchor="end">${ms}</text>`,
    );
  }
  for (const n of counts) {
    parts.push(
      `<line x1="${f(x(n))}" x2="${f(x(n))}" y1="${MARGIN.top}" y2="${
        MARGIN.top + plotHeight
      }" stroke="#f0f0f0"/>`,
      `<text x="${f(x(n))}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${n}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${
      MARGIN.top + plotHeight
    }" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${
      MARGIN.top + plotHeight
    }" y2="${MARGIN.top + plotHeight}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 18}" text-anchor="middle">` +
      `processes on the system (log scale)</text>`,
    `<text x="18" y="${MARGIN.top + plotHeight / 2}" text-anchor="middle" ` +
      `transform="rotate(-90 18 ${MARGIN.top + plotHeight / 2})">median ms per lookup</text>`,
  );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const points = s.points.map(([n, ms]) => `${f(x(n))},${f(y(ms))}`).join(" ");
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points}">` +
        `<title>${escape(s.name)}</title></polyline>`,
      ...s.points.map(([n, ms]) =>
        `<circle cx="${f(x(n))}" cy="${f(y(ms))}" r="3" fill="${colour}">` +
        `<title>${escape(s.name)}: ${f(ms)} ms at ${n} processes</title></circle>`
      ),
    );
    const legendY = MARGIN.top + 10 + i * 22;
    const legendX = MARGIN.left + plotWidth + 16;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 22}" y1="${legendY}" y2="${legendY}" ` +
        `stroke="${colour}" stroke-width="3"/>`,
      `<text x="${legendX + 28}" y="${legendY + 4}">${escape(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

/** The bench's lookup plot: one line and one legend entry per tool, each point where it belongs. */

import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { lookupPlot } from "../../scripts/bench_plot.ts";

Deno.test("lookupPlot: a polyline per tool, every count on the axis, text escaped", () => {
  const svg = lookupPlot([
    { name: "portctl who <held>", points: [[250, 20], [500, 30], [1000, 50]] },
    { name: "ss", points: [[250, 10], [500, 25], [1000, 60]] },
  ], { title: "Lookup & scan", subtitle: "test" });
  assertMatch(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assertEquals(svg.match(/<polyline /g)?.length, 2);
  assert(svg.includes("portctl who &lt;held&gt;"), "names are escaped");
  assert(svg.includes("Lookup &amp; scan"), "the title is escaped");
  for (const count of ["250", "500", "1000"]) assert(svg.includes(`>${count}</text>`), count);
  // The highest point sits on the top gridline's scale: 60 ms on a 0..60 axis is at the top.
  const [, points] = svg.match(/<polyline [^>]*points="([^"]+)"/g)![1].match(/points="([^"]+)"/)!;
  const ys = points.split(" ").map((p) => Number(p.split(",")[1]));
  assertEquals(Math.min(...ys), 70, "the plot area starts 70 px down");
  assert(svg.trimEnd().endsWith("</svg>"));
});

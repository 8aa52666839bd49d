/**
 * The picker through a real terminal: tmux panes of a fixed size running the real CLI against real
 * listeners. Keys go in with send-keys and the screen is read with capture-pane, polled until the
 * text is there. Every test checks the terminal afterwards (main screen, cursor shown, `stty -a`
 * in cooked mode with echo) and signals only listeners it started, by PID.
 */

import { assert, assertEquals } from "../support/assert.ts";
import {
  type Holder,
  isolatedEnv,
  isRunning,
  startDenoListener,
  tcpPortIsFree,
} from "../support/portctl.ts";
import { docker, inspect, startContainer } from "../support/containers.ts";
import { suiteNeeds } from "../support/requirements.ts";
import { closeTmux, openPane, type Pane } from "../support/tmux.ts";

const runs = Deno.build.os === "linux" && await suiteNeeds("the picker through tmux", ["tmux"]);
const ROOT = new URL("../../", import.meta.url).pathname;
/** A word in every listener's command line here: typed into the filter, it shows only ours. */
const TAG = `picktest${Deno.pid}`;
const env = { ...isolatedEnv(), DENO_NO_UPDATE_CHECK: "1" };

// After portctl, the shell prints its exit code and the terminal's modes, then waits.
const AFTER = `echo "EXIT=$?"; echo "TTY $(stty -a | tr ' ;' '\\n\\n' | ` +
  `grep -x -- '-\\{0,1\\}\\(icanon\\|echo\\|isig\\)' | tr '\\n' ' ')"; exec sleep 600`;

function pickerTest(name: string, fn: () => Promise<void>) {
  Deno.test({ name, ignore: !runs, sanitizeResources: false, sanitizeOps: false, fn });
}

function listen(args: string[] = []): Promise<Holder> {
  return startDenoListener(["tcp:127.0.0.1", ...args, "--tag", TAG]);
}

/** Opens the picker (`args` after `portctl`) in a pane, runs `body`, and always closes the pane. */
async function withPicker(
  args: string[],
  options: { columns?: number; rows?: number; env?: Record<string, string> },
  body: (pane: Pane) => Promise<void>,
): Promise<void> {
  const command = `${Deno.execPath()} run -A --quiet src/main.ts ${args.join(" ")}; ${AFTER}`;
  const pane = await openPane(command, {
    columns: options.columns ?? 80,
    rows: options.rows ?? 24,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env, ...options.env },
  });
  try {
    await pane.waitFor((lines) => lines.some((l) => l.startsWith("Filter:")), "the picker");
    await body(pane);
  } finally {
    await pane.kill().catch(() => {});
  }
}

/** The line of the screen showing `holder`'s row, if shown. */
function rowOf(lines: string[], holder: Holder): string | undefined {
  return lines.find((l) => l.includes(`:${holder.port} `) && l.includes(` ${holder.pid} `));
}

const shows = (holder: Holder) => (lines: string[]) => rowOf(lines, holder) !== undefined;
const hides = (holder: Holder) => (lines: string[]) => rowOf(lines, holder) === undefined;
const says = (text: string) => (lines: string[]) => lines.some((l) => l.includes(text));

/** Waits for portctl to exit; returns its exit code, after checking the terminal is given back. */
async function exitOf(pane: Pane): Promise<number> {
  const lines = await pane.waitFor(says("TTY "), "portctl's exit");
  const tty = lines.find((l) => l.startsWith("TTY "))!;
  assertEquals(tty.trim(), "TTY isig icanon echo", "stty -a shows cooked mode with echo");
  assertEquals(
    await pane.display("#{alternate_on} #{cursor_flag}"),
    "0 1",
    "main screen, cursor on",
  );
  return Number(lines.find((l) => l.startsWith("EXIT="))!.slice(5));
}

/** The PID of portctl in the pane: the child of the pane's shell. */
async function portctlPid(pane: Pane): Promise<number> {
  const shell = await pane.display("#{pane_pid}");
  const children = Deno.readTextFileSync(`/proc/${shell}/task/${shell}/children`).trim();
  return Number(children.split(" ")[0]);
}

async function stopAll(holders: Holder[]) {
  for (const holder of holders) await holder.stop();
}

pickerTest("open, filter by tag and by :port, move, mark two, confirm, end them", async () => {
  const holders = [await listen(), await listen(), await listen()];
  const [a, b, c] = holders;
  try {
    await withPicker([], {}, async (pane) => {
      // `portctl` alone on a terminal is the picker.
      await pane.type(TAG);
      let screen = await pane.waitFor((l) => holders.every((h) => shows(h)(l)), "every listener");
      assert(screen.some((l) => l.startsWith("  PROTO  ADDRESS:PORT")), screen.join("\n"));
      await pane.keys("C-u");
      await pane.type(`:${b.port}`);
      screen = await pane.waitFor(hides(a), "only the filtered port");
      assert(rowOf(screen, b)?.startsWith(">"), "the only row is highlighted");
      assertEquals(rowOf(screen, c), undefined);
      await pane.keys("C-u");
      await pane.type(TAG);
      await pane.waitFor((l) => holders.every((h) => shows(h)(l)), "every listener again");
      // Down, Up and Ctrl-N/Ctrl-P move the highlight; Space marks and moves on.
      const sorted = [...holders].sort((x, y) => x.port - y.port);
      await pane.keys("Home");
      await pane.waitFor((l) => rowOf(l, sorted[0])!.startsWith(">"), "the first row highlighted");
      await pane.keys("Down", "C-n", "Up", "C-p", "Down");
      await pane.waitFor((l) => rowOf(l, sorted[1])!.startsWith(">"), "the second row highlighted");
      await pane.keys("Up", "Space", "Space");
      screen = await pane.waitFor((l) => rowOf(l, sorted[2])!.startsWith(">"), "two marked");
      assert(rowOf(screen, sorted[0])!.startsWith(" *"), rowOf(screen, sorted[0]));
      assert(rowOf(screen, sorted[1])!.startsWith(" *"), rowOf(screen, sorted[1]));
      assert(rowOf(screen, sorted[2])!.startsWith("> "), rowOf(screen, sorted[2]));
      await pane.keys("Enter");
      screen = await pane.waitFor(says("End these 2 processes?"), "the confirmation");
      for (const h of sorted.slice(0, 2)) {
        assert(says(`${h.pid}  deno  (tcp :${h.port})`)(screen), screen.join("\n"));
      }
      assert(says("How: SIGTERM, then SIGKILL after 5 s")(screen), screen.join("\n"));
      assert(!says(String(sorted[2].pid))(screen), "the unmarked row is not named");
      await pane.type("y");
      assertEquals(await exitOf(pane), 0);
      screen = await pane.capture();
      for (const h of sorted.slice(0, 2)) {
        // Two `deno` processes: kill's lines tell them apart by their folder.
        const ended = new RegExp(`^ended ${h.pid} deno in \\S.* \\(tcp :${h.port}\\) by SIGTERM`);
        assert(screen.some((line) => ended.test(line)), screen.join("\n"));
        assert(!isRunning(h.pid));
      }
      assert(isRunning(sorted[2].pid), "the unmarked listener still runs");
    });
  } finally {
    await stopAll(holders);
  }
});

pickerTest(
  "n and Esc go back from the confirmation; Esc and Ctrl-C quit: exit 1, nothing signalled",
  async () => {
    const holder = await listen();
    try {
      for (const quitKey of ["Escape", "C-c"]) {
        await withPicker(["pick"], {}, async (pane) => {
          await pane.type(TAG);
          await pane.waitFor(shows(holder), "the listener");
          await pane.keys("Enter");
          await pane.waitFor(says("End this process?"), "the confirmation");
          await pane.type("n");
          await pane.waitFor(shows(holder), "the list again");
          await pane.keys("Enter");
          await pane.waitFor(says("End this process?"), "the confirmation again");
          await pane.keys("Escape");
          await pane.waitFor(shows(holder), "the list again");
          await pane.keys(quitKey);
          assertEquals(await exitOf(pane), 1);
          assert(isRunning(holder.pid), `${quitKey} signalled nothing`);
        });
      }
    } finally {
      await holder.stop();
    }
  },
);

pickerTest(
  "live: a listener started while open appears, a stopped one vanishes, the highlight stays",
  async () => {
    const kept = await listen();
    const started: Holder[] = [kept];
    try {
      await withPicker(["pick", "--tcp"], {}, async (pane) => {
        await pane.type(TAG);
        await pane.waitFor(shows(kept), "the first listener");
        // A new listener on a lower port lands above the highlighted row.
        let lower = kept.port - 1;
        while (!tcpPortIsFree(lower)) lower--;
        const above = await listen(["--port", String(lower)]);
        started.push(above);
        const screen = await pane.waitFor(shows(above), "the listener started while open");
        assert(rowOf(screen, kept)!.startsWith(">"), "the highlight stayed on the same process");
        const gone = await listen();
        started.push(gone);
        await pane.waitFor(shows(gone), "a third listener");
        await gone.stop();
        await pane.waitFor(hides(gone), "the stopped listener gone");
        await pane.keys("Escape");
        assertEquals(await exitOf(pane), 1);
      });
    } finally {
      await stopAll(started);
    }
  },
);

pickerTest(
  "a listener replaced on its port between Enter and y is not signalled without a new confirmation",
  async () => {
    const first = await listen();
    const started: Holder[] = [first];
    try {
      await withPicker(["pick"], {}, async (pane) => {
        await pane.type(TAG);
        await pane.waitFor(shows(first), "the listener");
        await pane.keys("Enter");
        await pane.waitFor(says(`${first.pid}  deno  (tcp :${first.port})`), "the confirmation");
        await first.stop();
        const second = await listen(["--port", String(first.port)]);
        started.push(second);
        await pane.type("y");
        const screen = await pane.waitFor(
          says(`now held by ${second.pid} deno (tcp :${second.port})`),
          "a fresh confirmation naming the new process",
        );
        assert(says("Changed since you pressed Enter:")(screen), screen.join("\n"));
        assert(isRunning(second.pid), "the new process was not signalled");
        await pane.type("n");
        await pane.waitFor(shows(second), "the list");
        await pane.keys("Escape");
        assertEquals(await exitOf(pane), 1);
        assert(isRunning(second.pid), "the new process was not signalled");
      });
      // Confirmed afresh, the new process is ended.
      const second = started[1];
      await withPicker(["pick"], {}, async (pane) => {
        await pane.type(TAG);
        await pane.waitFor(shows(second), "the listener");
        await pane.keys("Enter");
        await pane.waitFor(says(`${second.pid}  deno`), "the confirmation");
        const third = await replace(second, started);
        await pane.type("y");
        await pane.waitFor(says(`now held by ${third.pid} deno`), "the fresh confirmation");
        // `y` counts once the changed plan has been on screen a moment; until then it says so.
        while (!says("TTY ")(await pane.capture())) {
          await pane.type("y");
          await pane.waitFor(
            (l) => says("TTY ")(l) || says("just changed")(l) || says("End")(l),
            "y",
          );
        }
        assertEquals(await exitOf(pane), 0);
        assert(says(`ended ${third.pid} deno (tcp :${third.port})`)(await pane.capture()));
        assert(!isRunning(third.pid));
      });
    } finally {
      await stopAll(started);
    }
  },
);

/** Stops `holder` and starts another listener on its port. */
async function replace(holder: Holder, started: Holder[]): Promise<Holder> {
  await holder.stop();
  const next = await listen(["--port", String(holder.port)]);
  started.push(next);
  return next;
}

pickerTest(
  "SIGTERM, SIGHUP and SIGINT to portctl give the terminal back: exit 1, nothing signalled",
  async () => {
    const holder = await listen();
    try {
      for (const signal of ["SIGTERM", "SIGHUP", "SIGINT"] as const) {
        await withPicker(["pick"], {}, async (pane) => {
          await pane.type(TAG);
          await pane.waitFor(shows(holder), "the listener");
          Deno.kill(await portctlPid(pane), signal);
          assertEquals(await exitOf(pane), 1, signal);
          assert(isRunning(holder.pid));
        });
      }
    } finally {
      await holder.stop();
    }
  },
);

pickerTest("a closed terminal ends the picker", async () => {
  const holder = await listen();
  try {
    await withPicker(["pick"], {}, async (pane) => {
      await pane.type(TAG);
      await pane.waitFor(shows(holder), "the listener");
      const pid = await portctlPid(pane);
      await pane.kill();
      const deadline = Date.now() + 30_000;
      while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert(!isRunning(pid), "portctl exited with its terminal");
      assert(isRunning(holder.pid));
    });
  } finally {
    await holder.stop();
  }
});

pickerTest(
  "colour: reverse video on a terminal, none with NO_COLOR (> and * still show)",
  async () => {
    const holder = await listen();
    try {
      await withPicker(["pick"], { env: { NO_COLOR: "" } }, async (pane) => {
        await pane.type(TAG);
        await pane.waitFor(shows(holder), "the listener");
        const coloured = await pane.capture({ escapes: true });
        const highlighted = coloured.find((l) => l.includes(` ${holder.pid} `));
        // deno-lint-ignore no-control-regex
        assert(/^\x1b\[[\d;]*7m/.test(highlighted ?? ""), `reverse video: ${highlighted}`);
        await pane.keys("Escape");
        assertEquals(await exitOf(pane), 1);
      });
      await withPicker(["pick"], { env: { NO_COLOR: "1" } }, async (pane) => {
        await pane.type(TAG);
        await pane.waitFor(shows(holder), "the listener");
        const plain = await pane.capture({ escapes: true });
        assert(!plain.some((l) => l.includes("\x1b[")), plain.join("\n"));
        assert(rowOf(plain, holder)!.startsWith(">"));
        await pane.keys("Escape");
        assertEquals(await exitOf(pane), 1);
      });
    } finally {
      await holder.stop();
    }
  },
);

pickerTest(
  "50 columns, and a resize to 50 columns: every line fits, PID and port still shown",
  async () => {
    const holder = await listen();
    const fits = (width: number) => (lines: string[]) => lines.every((l) => [...l].length <= width);
    try {
      await withPicker(["pick"], { columns: 50, rows: 24 }, async (pane) => {
        await pane.type(TAG);
        const screen = await pane.waitFor(shows(holder), "the listener");
        assert(fits(50)(screen), screen.join("\n"));
        await pane.keys("Enter");
        const confirm = await pane.waitFor(says("End this process?"), "the confirmation");
        assert(says(`${holder.pid}  deno  (tcp :${holder.port})`)(confirm), confirm.join("\n"));
        assert(fits(50)(confirm), confirm.join("\n"));
        await pane.keys("Escape", "Escape");
        assertEquals(await exitOf(pane), 1);
      });
      await withPicker(["pick"], { columns: 120, rows: 24 }, async (pane) => {
        await pane.type(TAG);
        await pane.waitFor(shows(holder), "the listener");
        await pane.resize(50, 20);
        const screen = await pane.waitFor(
          (l) => l.length === 20 && shows(holder)(l) && says("Up/Down move")(l),
          "the screen redrawn at 50x20",
        );
        assert(fits(50)(screen), screen.join("\n"));
        await pane.keys("Escape");
        assertEquals(await exitOf(pane), 1);
      });
    } finally {
      await holder.stop();
    }
  },
);

pickerTest(
  "an error before the screen opens: one line, exit 2, the terminal untouched",
  async () => {
    // Without --allow-all, Deno refuses /proc: portctl fails as it does for list, with no screen.
    const command =
      `${Deno.execPath()} run --no-prompt --allow-env --allow-read=src --quiet src/main.ts pick; ` +
      AFTER;
    const pane = await openPane(command, { columns: 80, rows: 24, cwd: ROOT, env });
    try {
      const screen = await pane.waitFor(says("TTY "), "portctl's exit");
      assert(says("portctl: portctl needs full access")(screen), screen.join("\n"));
      assertEquals(await exitOf(pane), 2);
    } finally {
      await pane.kill().catch(() => {});
    }
  },
);

const dockerRuns = runs && await suiteNeeds("the picker with a container", ["root", "docker"]);

Deno.test({
  name:
    "a container's rows name it in MANAGER; the confirmation says it is stopped through docker; y does",
  ignore: !dockerRuns,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const c = await startContainer();
    try {
      await withPicker(["pick"], { columns: 160 }, async (pane) => {
        // The container's name is in MANAGER, and typing it finds both docker-proxies (v4, v6).
        await pane.type(c.name);
        let screen = await pane.waitFor(
          (lines) => lines.filter((l) => l.includes(`docker:${c.name}`)).length === 2,
          "the container's two rows",
        );
        assert(/NAME\s+MANAGER\s/.test(screen.join("\n")), screen.join("\n"));
        await pane.keys("Space", "Down", "Space", "Enter");
        screen = await pane.waitFor(says("End these 2 processes?"), "the confirmation");
        const how = `stopped through docker (${c.name}): docker stop ${c.name}`;
        assertEquals(screen.filter((l) => l.includes(how)).length, 2, screen.join("\n"));
        await pane.type("y");
        assertEquals(await exitOf(pane), 0);
        screen = await pane.capture();
        assert(says(`stopped through docker (${c.name})`)(screen), screen.join("\n"));
      });
      // docker stop's semantics: the TERM its trap answers, exit 0; docker-proxy went with it.
      assertEquals(await inspect(c.id), { running: false, exitCode: 0 });
      assert(tcpPortIsFree(c.port));
    } finally {
      await docker(["rm", "-f", c.id]);
    }
  },
});

Deno.test({
  name: "picker suite: tmux server closed",
  ignore: !runs,
  fn: closeTmux,
});

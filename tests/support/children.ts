/**
 * Child processes for tests, on every OS: read the one JSON line a holder announces itself with,
 * and run a test body with started children that are always stopped afterwards.
 *
 * @module
 */

/** Reads the first line of `stream` as JSON (a holder's `{"pid", "port"}`), then lets go. */
export async function readJsonLine(
  stream: ReadableStream<Uint8Array>,
): Promise<Record<string, unknown>> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the child ended before announcing itself (it said: ${text})`);
    text += value;
  }
  reader.releaseLock();
  return JSON.parse(text.slice(0, text.indexOf("\n")));
}

/** Runs `body` with children from `starts`, stopping every one of them whatever happens. */
export async function withStarted<T extends { stop(): Promise<void> }>(
  starts: (() => Promise<T>)[],
  body: (started: T[]) => Promise<void>,
): Promise<void> {
  const started: T[] = [];
  try {
    for (const start of starts) started.push(await start());
    await body(started);
  } finally {
    for (const child of started) await child.stop();
  }
}

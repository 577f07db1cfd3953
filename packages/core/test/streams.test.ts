import { describe, expect, test } from "vitest";
import { getRun } from "../src/api.js";
import {
  ContextError,
  InvalidArgumentError,
  RunNotFoundError,
  SerializationError,
  WorkflowRunFailedError,
} from "../src/shared/errors.js";
import { runtimeFor } from "./support/runtimes.js";
import { waitFor } from "./support/wait.js";

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<T>) out.push(chunk);
  return out;
}

const WORDS = `
  import { getWritable, getStepMetadata, createHook } from "hookline";

  export async function answer(words: string[]) {
    "use workflow";
    const writable = getWritable<string>();
    for (const word of words) await say(writable, word);
    return words.length;
  }

  async function say(writable: WritableStream<string>, word: string) {
    "use step";
    const writer = writable.getWriter();
    await writer.write(word);
    writer.releaseLock();
  }

  export async function named() {
    "use workflow";
    await progress();
    await log(getWritable({ namespace: "log" }));
    return "ok";
  }

  async function progress() {
    "use step";
    const writer = getWritable<{ done: number; at: Date }>({ namespace: "progress" }).getWriter();
    for (let done = 0; done < 10; done++) await writer.write({ done, at: new Date(done) });
    await writer.close();
  }

  async function log(writable: WritableStream<string>) {
    "use step";
    const writer = writable.getWriter();
    await writer.write("one");
    await writer.write("two");
  }

  export async function live() {
    "use workflow";
    await say(getWritable(), "first");
    await createHook<string>({ token: "live:" + Math.random() });
    await say(getWritable(), "second");
  }

  export async function closeEarly() {
    "use workflow";
    const own = await closeIt();
    const late = await writeLate();
    await createHook({ token: "close-early:" + Math.random() });
    return { own, late };
  }

  async function closeIt() {
    "use step";
    const writer = getWritable<string>().getWriter();
    await writer.write("only");
    await writer.close();
    // The same writer after its own close().
    return writer.write("again").then(
      () => "written",
      (error) => (error as Error).name + ": " + (error as Error).message,
    );
  }

  async function writeLate() {
    "use step";
    try {
      await getWritable<string>().getWriter().write("late");
      return "written";
    } catch (error) {
      return (error as Error).name + ": " + (error as Error).message;
    }
  }

  export async function retried() {
    "use workflow";
    await flaky(getWritable());
  }

  async function flaky(writable: WritableStream<string>) {
    "use step";
    const { attempt } = getStepMetadata();
    const writer = writable.getWriter();
    await writer.write("attempt " + attempt);
    if (attempt === 1) throw new Error("first attempt fails after writing");
    await writer.write("done");
  }

  export async function badChunk(kind: string) {
    "use workflow";
    return tryWrite(kind);
  }

  async function tryWrite(kind: string) {
    "use step";
    const writer = getWritable().getWriter();
    const chunk = kind === "function" ? { user: { name: "ann", save() {} } } : "x".repeat(200);
    try {
      await writer.write(chunk);
      return "written";
    } catch (error) {
      return { name: (error as Error).name, code: (error as { code?: string }).code, message: (error as Error).message };
    }
  }

  export async function workflowWrites() {
    "use workflow";
    const writer = getWritable().getWriter();
    await writer.write("from the workflow");
  }

  export async function pauses(gapMs: number) {
    "use workflow";
    await pause(getWritable(), gapMs);
  }

  async function pause(writable: WritableStream<string>, gapMs: number) {
    "use step";
    const writer = writable.getWriter();
    await writer.write("before");
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    await writer.write("after");
  }

  export async function many(count: number) {
    "use workflow";
    await burst(getWritable(), count);
  }

  async function burst(writable: WritableStream<number>, count: number) {
    "use step";
    const writer = writable.getWriter();
    for (let i = 0; i < count; i++) await writer.write(i);
  }
`;

const RELAY = `
  export async function relay(words: string[]) {
    "use workflow";
    const stream = await produce(words);
    const loud = await shout(stream);
    const n = await count(loud);
    return { loud, count: n };
  }

  async function produce(words: string[]) {
    "use step";
    return new ReadableStream<string>({
      async start(controller) {
        for (const word of words) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          controller.enqueue(word);
        }
        controller.close();
      },
    });
  }

  async function shout(stream: ReadableStream<string>) {
    "use step";
    return stream.pipeThrough(new TransformStream<string, string>({ transform: (word, out) => out.enqueue(word.toUpperCase()) }));
  }

  async function count(stream: ReadableStream<string>) {
    "use step";
    let n = 0;
    for await (const _ of stream as unknown as AsyncIterable<string>) n++;
    return n;
  }

  export async function peek(words: string[]) {
    "use workflow";
    const stream = await produce(words);
    return stream.getReader();
  }
`;

const wf = (name: string) => `workflow//workflows/words.ts//${name}`;

describe("streams", () => {
  test("a step writes through getWritable() passed by its workflow; run.readable has every chunk and ends with the run", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS });
    const words = ["Durable", "streams", "résumé", "😀"];
    const run = await runtime.start(wf("answer"), [words]);
    expect(await readAll(run.readable)).toEqual(words);
    await expect(run.returnValue).resolves.toBe(4);
    // Read again after the end: the same chunks, from anywhere in the stream.
    expect(await readAll(run.getReadable({ startIndex: 2 }))).toEqual(words.slice(2));
    expect(await readAll(run.getReadable({ startIndex: -1 }))).toEqual(["😀"]);
    expect(await readAll(run.getReadable({ startIndex: -3 }))).toEqual(words.slice(1));
    expect(await readAll(run.getReadable({ startIndex: -100 }))).toEqual(words);
    expect(await readAll(run.getReadable({ startIndex: 10 }))).toEqual([]);
    expect(await run.getReadable().getTailIndex()).toBe(3);
    expect(await run.getStreamInfo()).toEqual({ tailIndex: 3, done: true });
    // A snapshot, page by page.
    const page1 = await run.getStreamChunks<string>({ limit: 3 });
    expect(page1).toEqual({
      data: words.slice(0, 3).map((value, index) => ({ index, value })),
      cursor: "3",
      hasMore: true,
      done: true,
    });
    const page2 = await run.getStreamChunks<string>({ limit: 3, cursor: page1.cursor });
    expect(page2).toEqual({ data: [{ index: 3, value: "😀" }], cursor: null, hasMore: false, done: true });
    await expect(run.getStreamChunks({ cursor: "nope" })).rejects.toThrow(/is not a cursor/);
    // The same run through hookline/api's getRun.
    expect(await readAll(getRun(run.runId).readable)).toEqual(words);
  });

  test("named namespaces are separate streams; chunks keep their types; writer.close() ends a reader", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS });
    const run = await runtime.start(wf("named"), []);
    const progress = await readAll(run.getReadable<{ done: number; at: Date }>({ namespace: "progress" }));
    expect(progress.map((p) => p.done)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(progress[3]!.at).toEqual(new Date(3));
    await expect(run.returnValue).resolves.toBe("ok");
    expect(await readAll(run.getReadable({ namespace: "log" }))).toEqual(["one", "two"]);
    // Nobody wrote to the default stream: its reader ends because the run ended.
    expect(await readAll(run.readable)).toEqual([]);
    expect(await run.streams()).toEqual(["log", "progress"]);
    expect(await run.getReadable({ namespace: "progress" }).getTailIndex()).toBe(9);
  });

  test("a reader attached before the writes gets each chunk live, before the run ends", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS });
    const run = await runtime.start(wf("live"), []);
    const reader = run.readable.getReader();
    expect(await reader.read()).toEqual({ done: false, value: "first" });
    // While the run goes on, a page's cursor points past its last chunk, for the next look.
    expect(await run.getStreamChunks({ limit: 10 })).toEqual({
      data: [{ index: 0, value: "first" }],
      cursor: "1",
      hasMore: false,
      done: false,
    });
    expect(await run.getStreamInfo()).toEqual({ tailIndex: 0, done: false });
    // The run is waiting in its hook: still running, and the reader is still open.
    const [hook] = await waitFor("the hook", async () => {
      const hooks = await runtime.world.listHooks({ runId: run.runId, status: "active" });
      return hooks.length > 0 && hooks;
    });
    expect(await run.status).toBe("running");
    const pending = reader.read();
    await runtime.deliver(hook!, "go");
    expect(await pending).toEqual({ done: false, value: "second" });
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(await run.status).toBe("completed");
  });

  test("writer.close() ends the stream before the run ends; a later write fails with StreamClosedError", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS });
    const run = await runtime.start(wf("closeEarly"), []);
    // The run goes on waiting in its hook, yet the reader ends: the stream was closed.
    expect(await readAll(run.readable)).toEqual(["only"]);
    await waitFor(
      "the hook",
      async () => (await runtime.world.listHooks({ runId: run.runId, status: "active" })).length > 0,
    );
    expect(await run.status).toBe("running");
    const [hook] = await runtime.world.listHooks({ runId: run.runId, status: "active" });
    await runtime.deliver(hook!, null);
    const { own, late } = (await run.returnValue) as { own: string; late: string };
    expect(own).toMatch(/^StreamClosedError: Run \w+: the stream "default" is closed \(close\(\) was called on it\)/);
    expect(late).toMatch(/^StreamClosedError: Run \w+: the stream "default" is closed/);
  });

  test("a retried step's earlier chunks stay: the reader sees both attempts' writes, in order", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS });
    const run = await runtime.start(wf("retried"), []);
    expect(await readAll(run.readable)).toEqual(["attempt 1", "attempt 2", "done"]);
    expect(await run.status).toBe("completed");
  });

  test("an unserializable chunk is refused naming its path; nothing is stored", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS });
    const run = await runtime.start(wf("badChunk"), ["function"]);
    const result = (await run.returnValue) as { name: string; code: string; message: string };
    expect(result.code).toBe(new SerializationError("", "").code);
    expect(result.message).toContain('Stream "default": nothing was written.');
    expect(result.message).toContain("chunk.user.save");
    expect(await run.getReadable().getTailIndex()).toBe(-1);
  });

  test("a chunk over the size limit is refused naming the limit", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS }, { streams: { maxChunkBytes: 100 } });
    const run = await runtime.start(wf("badChunk"), ["big"]);
    const result = (await run.returnValue) as { code: string; message: string };
    expect(result.code).toBe(new InvalidArgumentError("").code);
    expect(result.message).toMatch(/a chunk of 202 bytes \(serialized\) is over the limit of 100 bytes/);
    expect(await run.getReadable().getTailIndex()).toBe(-1);
  });

  test("a workflow that writes to its stream itself fails with a clear error", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS });
    const run = await runtime.start(wf("workflowWrites"), []);
    const failed = await run.returnValue.catch((e: unknown) => e);
    expect(WorkflowRunFailedError.is(failed), String(failed)).toBe(true);
    const error = (failed as WorkflowRunFailedError).cause;
    expect(ContextError.is(error), String(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /A workflow cannot write to its stream itself.*Pass the value of getWritable\(\) to a "use step" function/,
    );
  });

  test("getReadable of an unknown run errors with RunNotFoundError; bad options throw at once", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS });
    const reader = getRun("run_nope").readable.getReader();
    await expect(reader.read()).rejects.toSatisfy(RunNotFoundError.is);
    const run = await runtime.start(wf("answer"), [["a"]]);
    expect(() => run.getReadable({ namespace: "no spaces" })).toThrow(/namespace must be 1–100 letters/);
    expect(() => run.getReadable({ startIndex: 1.5 })).toThrow(/startIndex must be a whole number/);
  });

  test("chunks are not in the log: a run with 2,000 chunks has the same events as one with none", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS });
    const none = await runtime.start(wf("many"), [0]);
    const lots = await runtime.start(wf("many"), [2_000]);
    await Promise.all([none.returnValue, lots.returnValue]);
    const types = async (run: typeof none) => (await run.events()).map((e) => e.type);
    expect(await types(lots)).toEqual(await types(none));
    const all = await readAll(lots.readable);
    expect(all).toHaveLength(2_000);
    expect(all[1_999]).toBe(1_999);
  });

  test("a ReadableStream can be a step's result, another step's argument and the run's result, read live", async () => {
    const runtime = await runtimeFor({ "workflows/relay.ts": RELAY });
    const run = await runtime.start("workflow//workflows/relay.ts//relay", [["a", "b", "c", "d"]]);
    const result = (await run.returnValue) as { loud: ReadableStream<string>; count: number };
    expect(result.count).toBe(4);
    expect(await readAll(result.loud)).toEqual(["A", "B", "C", "D"]);
    // Each handed-over stream is one of the run's streams, named by the step call that made it.
    expect(await run.streams()).toEqual(["step.o1.1.0", "step.o2.1.0"]);
    // A workflow can pass such a stream on, not read it; nor can one be a workflow's argument.
    const peek = await runtime.start("workflow//workflows/relay.ts//peek", [["x"]]);
    const failed = await peek.returnValue.catch((e: unknown) => e);
    expect(WorkflowRunFailedError.is(failed), String(failed)).toBe(true);
    const error = (failed as WorkflowRunFailedError).cause;
    expect(ContextError.is(error), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/a workflow can pass it on .* but not read it/);
    const refused = await runtime
      .start("workflow//workflows/relay.ts//relay", [new ReadableStream() as never])
      .catch((e: unknown) => e);
    expect(SerializationError.is(refused), String(refused)).toBe(true);
    expect((refused as Error).message).toMatch(
      /args\[0\]: a ReadableStream can cross only as a step's argument or result/,
    );
  });

  test("a reader idle for longer than its re-read interval stays open and gets the next chunk", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS });
    const run = await runtime.start(wf("pauses"), [4_500]);
    const reader = run.readable.getReader();
    expect(await reader.read()).toEqual({ done: false, value: "before" });
    const started = Date.now();
    expect(await reader.read()).toEqual({ done: false, value: "after" });
    expect(Date.now() - started).toBeGreaterThan(4_000);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
  });

  test("a cancelled reader stops reading the world at once (a closed SSE connection costs nothing after)", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS });
    const run = await runtime.start(wf("pauses"), [1_500]);
    const reader = run.readable.getReader();
    expect(await reader.read()).toEqual({ done: false, value: "before" });
    // Let the next read wait for news, then cancel it.
    const pending = reader.read();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { streams } = runtime.world;
    const read = streams.read.bind(streams);
    let reads = 0;
    streams.read = (...args) => {
      reads++;
      return read(...args);
    };
    try {
      await reader.cancel();
      await expect(pending).resolves.toEqual({ done: true, value: undefined });
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(reads).toBe(0);
    } finally {
      streams.read = read;
    }
    await run.returnValue;
  });

  test("a reader that stops can resume at its index; 100 readers of one stream all get every chunk", async () => {
    const runtime = await runtimeFor({ "workflows/words.ts": WORDS });
    const run = await runtime.start(wf("many"), [300]);
    const readers = Array.from({ length: 100 }, () => readAll(run.getReadable<number>()));
    const first = run.readable.getReader();
    const seen: number[] = [];
    while (seen.length < 50) {
      const { value } = await first.read();
      seen.push(value as number);
    }
    await first.cancel();
    const rest = await readAll(run.getReadable<number>({ startIndex: seen.length }));
    const expected = Array.from({ length: 300 }, (_, i) => i);
    expect([...seen, ...rest]).toEqual(expected);
    for (const all of await Promise.all(readers)) expect(all).toEqual(expected);
  });
});

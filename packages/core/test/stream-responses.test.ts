import { describe, expect, test } from "vitest";
import { bytesResponse, ndjsonResponse, sseResponse } from "../src/api.js";
import { runtimeFor } from "./support/runtimes.js";
import { waitFor } from "./support/wait.js";

const APP = {
  "workflows/talk.ts": `
    import { getWritable, createHook } from "hookline";

    export async function talk(chunks: unknown[], wait: boolean) {
      "use workflow";
      await write(getWritable(), chunks);
      if (wait) await createHook({ token: "talk:" + Math.random() });
    }

    async function write(writable: WritableStream<unknown>, chunks: unknown[]) {
      "use step";
      const writer = writable.getWriter();
      for (const chunk of chunks) await writer.write(chunk);
    }
  `,
};
const TALK = "workflow//workflows/talk.ts//talk";

describe("stream responses", () => {
  test("sseResponse: one event per chunk with id = its index, an end event with the run's status", async () => {
    const runtime = await runtimeFor(APP);
    const run = await runtime.start(TALK, [["Hello", { n: 1 }, "line\nbreak"], false]);
    await run.returnValue;
    const response = await sseResponse(run);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(await response.text()).toBe(
      'id: 0\ndata: "Hello"\n\nid: 1\ndata: {"n":1}\n\nid: 2\ndata: "line\\nbreak"\n\nevent: end\ndata: {"status":"completed"}\n\n',
    );
  });

  test("sseResponse resumes after Last-Event-ID (a reconnecting EventSource), which wins over startIndex", async () => {
    const runtime = await runtimeFor(APP);
    const run = await runtime.start(TALK, [["a", "b", "c", "d"], false]);
    await run.returnValue;
    const request = new Request("http://app/stream", { headers: { "Last-Event-ID": "1" } });
    const text = await (await sseResponse(run.runId, { request, startIndex: 0 })).text();
    expect(text.match(/^id: \d+/gm)).toEqual(["id: 2", "id: 3"]);
    // A header that is not an index is ignored.
    const odd = new Request("http://app/stream", { headers: { "Last-Event-ID": "x" } });
    expect((await (await sseResponse(run.runId, { request: odd, startIndex: -1 })).text()).match(/^id: \d+/gm)).toEqual(
      ["id: 3"],
    );
  });

  test("sseResponse of a live run: chunks and keep-alive comments while the run waits", async () => {
    const runtime = await runtimeFor(APP);
    const run = await runtime.start(TALK, [["first"], true]);
    const response = await sseResponse(run, { keepAliveMs: 20 });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    await waitFor("a chunk and a keep-alive", async () => {
      const { value } = await reader.read();
      text += decoder.decode(value);
      return text.includes('id: 0\ndata: "first"\n\n') && text.includes(": keep-alive\n\n");
    });
    expect(await run.status).toBe("running");
    await reader.cancel();
  });

  test("ndjsonResponse: one JSON line per chunk; bytesResponse: strings and bytes as they are", async () => {
    const runtime = await runtimeFor(APP);
    const run = await runtime.start(TALK, [["hé", new Uint8Array([65, 66]), { ok: true }], false]);
    await run.returnValue;
    const ndjson = await ndjsonResponse(run, { headers: { "x-run": run.runId } });
    expect(ndjson.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(ndjson.headers.get("x-run")).toBe(run.runId);
    expect(await ndjson.text()).toBe('"hé"\n{"0":65,"1":66}\n{"ok":true}\n');

    const bytesRun = await runtime.start(TALK, [["hé ", new Uint8Array([65, 66])], false]);
    await bytesRun.returnValue;
    const bytes = await bytesResponse(bytesRun, { headers: { "content-type": "text/plain" } });
    expect(bytes.headers.get("content-type")).toBe("text/plain");
    expect(await bytes.text()).toBe("hé AB");
    // A value that is not text or bytes fails the body, naming the chunk.
    await expect((await bytesResponse(run)).text()).rejects.toThrow(/chunk 2 is object, not a string or bytes/);
  });

  test("an unknown run answers 404", async () => {
    await runtimeFor(APP);
    for (const make of [sseResponse, ndjsonResponse, bytesResponse]) {
      const response = await make("run_missing");
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: "HOOKLINE_RUN_NOT_FOUND" });
    }
  });
});

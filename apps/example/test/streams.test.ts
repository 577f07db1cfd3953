/**
 * The streaming answer under `next start` (the shared production build): a step writes words
 * into the run's stream, the page shows them live over Server-Sent Events, a reload continues at
 * the right word, the SSE route resumes after Last-Event-ID, and a `kill -9` of the server
 * mid-answer loses no acknowledged word.
 */
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./support/browser";
import { eventually, type NextServer, startNext } from "./support/next-server";
import { productionBuild } from "./support/production-build";

const ENV = {
  HOOKLINE_SECRET: "example-test-secret-0123456789abcdef0123456789abcdef",
  HOOKLINE_EXAMPLE_WORD_MS: "120",
};
/** Inside the `streams` helper's assigned port range. */
const PORT = 4150;

let server: NextServer;
let browser: BrowserContext;

beforeAll(async () => {
  await productionBuild({ env: ENV });
  server = await startNext("start", { env: ENV, port: PORT });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() && !block.startsWith(":"))
    .map((block) => {
      const event: SseEvent = { data: "" };
      for (const line of block.split("\n")) {
        const [field, ...rest] = line.split(": ");
        const value = rest.join(": ");
        if (field === "id") event.id = value;
        else if (field === "event") event.event = value;
        else if (field === "data") event.data = value;
      }
      return event;
    });
}

async function startAnswer(question: string, base = server.url): Promise<string> {
  const response = await fetch(`${base}/api/answers`, { method: "POST", body: JSON.stringify({ question }) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { runId: string }).runId;
}

async function runResult(runId: string, base = server.url): Promise<{ words: number } | undefined> {
  const run = (await (await fetch(`${base}/api/runs/${runId}`)).json()) as {
    status: string;
    result?: { words: number };
  };
  return run.status === "completed" ? run.result : undefined;
}

describe("streaming answer", () => {
  it("the page shows the answer word by word, and a reload mid-answer continues at the right word", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/answer`);
    await page.getByRole("button", { name: "Ask" }).click();
    const answer = page.getByTestId("answer");
    // Live: a few words are there while the run is still streaming.
    await eventually(
      async () => ((await answer.innerText()).split(" ").length >= 4 ? true : undefined),
      20_000,
      "the first words",
    );
    expect(await page.getByTestId("stream-status").innerText()).toBe("streaming");
    const before = (await answer.innerText()).replace("▍", "").trim();
    await screenshot(page, "answer-streaming");
    expect(page.url()).toMatch(/\?run=\w+$/);

    await page.reload();
    // After the reload the words so far are back at once (no gap, no repeat), then more come.
    await eventually(
      async () => ((await answer.innerText()).replace("▍", "").trim().startsWith(before) ? true : undefined),
      10_000,
      "the words so far",
    );
    await page.getByTestId("stream-status").filter({ hasText: "completed" }).waitFor({ timeout: 30_000 });
    const text = await answer.innerText();
    expect(text.startsWith('You asked: "What is a durable workflow". A durable workflow records')).toBe(true);
    expect(text.endsWith("reload it and it continues at the right word.")).toBe(true);
    // Every word once, in order: the same text the run's stream holds.
    const events = parseSse(
      await (await fetch(`${server.url}/api/answers/${page.url().split("run=")[1]}/stream`)).text(),
    );
    const streamed = events
      .filter((e) => e.id !== undefined)
      .map((e) => JSON.parse(e.data) as string)
      .join("");
    expect(text).toBe(streamed);
    await screenshot(page, "answer-completed");
    await page.close();
  });

  it("the SSE route: id = chunk index, Last-Event-ID resumes at the next chunk, an end event with the status", async () => {
    const runId = await startAnswer("Why streams?");
    await eventually(() => runResult(runId), 30_000, "the run to complete");
    const all = parseSse(await (await fetch(`${server.url}/api/answers/${runId}/stream`)).text());
    const chunks = all.filter((e) => e.id !== undefined);
    expect(chunks.map((e) => Number(e.id))).toEqual(chunks.map((_, i) => i));
    expect(all.at(-1)).toEqual({ event: "end", data: '{"status":"completed"}' });

    const resumed = await fetch(`${server.url}/api/answers/${runId}/stream`, { headers: { "Last-Event-ID": "9" } });
    expect(resumed.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const rest = parseSse(await resumed.text()).filter((e) => e.id !== undefined);
    expect(rest.map((e) => e.id)).toEqual(chunks.slice(10).map((e) => e.id));
    expect(rest.map((e) => e.data)).toEqual(chunks.slice(10).map((e) => e.data));

    expect((await fetch(`${server.url}/api/answers/run_missing/stream`)).status).toBe(404);
  });

  it("kill -9 of the server mid-answer: every acknowledged word survives, and the retried step continues after the last one", async () => {
    const runId = await startAnswer("What survives a crash?");
    // Read a few words live, remember them, then kill the server while the step is writing.
    const response = await fetch(`${server.url}/api/answers/${runId}/stream`);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (parseSse(text).filter((e) => e.id !== undefined).length < 5)
      text += decoder.decode((await reader.read()).value);
    const seen = parseSse(text).filter((e) => e.id !== undefined);
    const { dataDir } = server;
    await server.stop("SIGKILL");
    await reader.cancel().catch(() => {});

    server = await startNext("start", { env: ENV, port: PORT, dataDir });
    await eventually(() => runResult(runId), 60_000, "the run to complete after the restart");
    const events = parseSse(await (await fetch(`${server.url}/api/answers/${runId}/stream`)).text());
    const chunks = events.filter((e) => e.id !== undefined);
    // No gap, no repeated index, the words seen before the crash unchanged, and no word twice.
    expect(chunks.map((e) => Number(e.id))).toEqual(chunks.map((_, i) => i));
    expect(chunks.slice(0, seen.length)).toEqual(seen);
    const words = chunks.map((e) => (JSON.parse(e.data) as string).trim());
    expect(words.length).toBe((await runResult(runId))!.words);
    expect(words.join(" ")).toBe(
      'You asked: "What survives a crash". A durable workflow records every step in its log, so it survives restarts and deploys. This answer is written by one step, word by word, into the run\'s stream. Each word is stored before the step moves on, and the page reads the stream live; reload it and it continues at the right word.',
    );
  });
});

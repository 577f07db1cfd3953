/** The streamed answer, in-process: a step writes words into the run's stream, a reader gets them in order. */
import { createTestRuntime, type TestRuntime } from "hookline/testing";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { answerQuestion } from "@/workflows/answer";

// The pretend model's pause per word, read when the file loads: none here.
vi.hoisted(() => {
  process.env.HOOKLINE_EXAMPLE_WORD_MS = "0";
});

let hl: TestRuntime;
beforeEach(async () => {
  hl = await createTestRuntime();
});
afterEach(() => hl.close());

it("streams the answer word by word, and returns the word count", async () => {
  const run = await hl.start(answerQuestion, ["What is a durable workflow?"]);
  const { words } = await run.result();
  const chunks: string[] = [];
  for await (const chunk of run.handle.getReadable<string>() as unknown as AsyncIterable<string>) chunks.push(chunk);
  expect(chunks).toHaveLength(words);
  expect(chunks.join("")).toMatch(/^You asked: "What is a durable workflow"\. A durable workflow records every step/);
});

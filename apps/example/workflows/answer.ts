import { getStepMetadata, getWritable } from "hookline";
import { getRun } from "hookline/api";

/** How long the pretend model takes per word (ms); HOOKLINE_EXAMPLE_WORD_MS overrides it. */
const WORD_MS = Number(process.env.HOOKLINE_EXAMPLE_WORD_MS ?? 150);

/**
 * A streamed answer: a step "generates" the answer word by word into the run's stream; the page
 * reads it live over Server-Sent Events (app/api/answers/[runId]/stream) and picks up where it
 * was after a reload. The full answer is also the run's result.
 */
export async function answerQuestion(question: string) {
  "use workflow";
  const words = await generateAnswer(getWritable<string>(), question);
  return { question, words };
}

async function generateAnswer(writable: WritableStream<string>, question: string) {
  "use step";
  const words = composeAnswer(question);
  const { attempt, runId } = getStepMetadata();
  // Chunks an earlier attempt wrote stay in the stream (its process may have died mid-answer):
  // a retry continues after the last stored word instead of writing the answer twice.
  const written = attempt > 1 ? (await getRun(runId).getReadable().getTailIndex()) + 1 : 0;
  const writer = writable.getWriter();
  for (const [i, word] of words.entries()) {
    if (i < written) continue;
    await new Promise((resolve) => setTimeout(resolve, WORD_MS));
    // Each write resolves once the word is stored: a reader anywhere can see it now.
    await writer.write(i === 0 ? word : ` ${word}`);
  }
  // No writer.close(): the run's end ends its stream, so the page's end event carries the final status.
  return words.length;
}

function composeAnswer(question: string): string[] {
  const topic = question.trim().replace(/[?.!]+$/, "") || "durable workflows";
  return `You asked: "${topic}". A durable workflow records every step in its log, so it survives restarts and deploys. This answer is written by one step, word by word, into the run's stream. Each word is stored before the step moves on, and the page reads the stream live; reload it and it continues at the right word.`.split(
    " ",
  );
}

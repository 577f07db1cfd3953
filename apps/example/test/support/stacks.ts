/**
 * What a user reads when a run fails, asked of a running example (any build: Turbopack, webpack,
 * standalone, next dev) through its routes: workflows/stacks.ts started over POST /api/stacks,
 * the error read back through `run.error` and `run.returnValue` (GET /api/stacks/:runId, which
 * also logs it). Stacks name the user's files relative to the app, their source lines and the
 * source names of functions and classes, whatever the bundler and minifier did.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { APP_DIR, type NextServer } from "./next-server";

interface ErrorShape {
  name: string;
  message: string;
  stack: string;
}

async function failedRun(
  app: string,
  workflow: string,
  orderId: string,
): Promise<{ runId: string; error: ErrorShape; cause: ErrorShape }> {
  const started = await fetch(`${app}/api/stacks`, { method: "POST", body: JSON.stringify({ workflow, orderId }) });
  expect(started.status).toBe(200);
  const { runId } = (await started.json()) as { runId: string };
  const response = await fetch(`${app}/api/stacks/${runId}`, { signal: AbortSignal.timeout(90_000) });
  expect(response.status).toBe(200);
  const outcome = (await response.json()) as { error?: ErrorShape; cause?: ErrorShape; result?: unknown };
  expect(outcome.result, `${workflow} should have failed`).toBeUndefined();
  // run.error and returnValue's cause are the same recorded error.
  expect(outcome.error).toEqual(outcome.cause);
  return { runId, error: outcome.error!, cause: outcome.cause! };
}

/** `at <fn> (<file>:<line of text>:<column>)`, the file relative to the app, as the source has it. */
function frame(fn: string, file: string, text: string): RegExp {
  const lines = readFileSync(join(APP_DIR, file), "utf8").split("\n");
  const line = lines.findIndex((candidate) => candidate.includes(text)) + 1;
  expect(line, `${text} in ${file}`).toBeGreaterThan(0);
  return new RegExp(`\\n\\s+at ${fn} \\(${file.replace(/\./g, "\\.")}:${line}:\\d+\\)`);
}

/** No frame names a bundle, a chunk or a minified function. */
function expectNoGeneratedNames(stack: string): void {
  expect(stack).not.toMatch(/hookline-workflows|\.next[\w-]*[\\/]|chunks[\\/]|\[turbopack\]|webpack:|webpack-internal/);
  const names = [...stack.matchAll(/\n\s+at (?:async )?([^\s(]+) \(/g)].map((match) => match[1]!);
  const minified = names.filter((name) => name.split(".").some((part) => part.length < 3));
  expect(minified, `minified function names in:\n${stack}`).toEqual([]);
}

/** The assertions every build shares; `app` is the server's URL with any basePath. */
export async function expectReadableStacks(app: string, server: NextServer): Promise<void> {
  const step = await failedRun(app, "expiredCard", "o-41");
  expect(step.cause.name).toBe("CardExpiredError");
  expect(step.cause.stack).toMatch(/^CardExpiredError: the card for o-41 expired in 2020-01\n/);
  expect(step.cause.stack).toMatch(frame("validateCard", "lib/cards.ts", "throw new CardExpiredError"));
  expect(step.cause.stack).toMatch(frame("checkExpiry", "lib/cards.ts", "return validateCard(orderId, expiry)"));
  expect(step.cause.stack).toMatch(frame("validateCard", "workflows/stacks.ts", 'checkExpiry(orderId, "2020-01")'));
  expect(step.cause.stack).toMatch(frame("chargeCard", "workflows/stacks.ts", "validateCard(orderId);"));
  expectNoGeneratedNames(step.cause.stack);

  const workflow = await failedRun(app, "rejectedOrder", "o-42");
  expect(workflow.cause.name).toBe("OrderRejectedError");
  expect(workflow.cause.stack).toMatch(/^OrderRejectedError: order o-42 is rejected\n/);
  expect(workflow.cause.stack).toMatch(frame("checkOrder", "workflows/stacks.ts", "throw new OrderRejectedError"));
  expect(workflow.cause.stack).toMatch(frame("rejectedOrder", "workflows/stacks.ts", "checkOrder(orderId);"));
  expectNoGeneratedNames(workflow.cause.stack);

  const serialization = await failedRun(app, "unrecordableReceipt", "o-43");
  expect(serialization.cause.message).toMatch(/a PaperReceipt class instance is not serializable/);
  // Raised by the runtime about the step: it names the step in its file, not the runtime's frames.
  expect(serialization.cause.stack).toMatch(/\n\s+at issueReceipt \(workflows\/stacks\.ts\)$/);
  expectNoGeneratedNames(serialization.cause.stack);

  // The server log shows the same error as the route logged it.
  await server.waitForOutput(
    new RegExp(
      `\\[example\\] run ${step.runId} failed:[^]*?${frame("validateCard", "workflows/stacks.ts", 'checkExpiry(orderId, "2020-01")').source}`,
    ),
  );
  await server.waitForOutput(
    new RegExp(
      `\\[example\\] run ${workflow.runId} failed:[^]*?${frame("checkOrder", "workflows/stacks.ts", "throw new OrderRejectedError").source}`,
    ),
  );
}

/**
 * Worlds for the inspector's benchmark, filled directly through the world's append API: many
 * runs with a realistic mix of workflows and statuses spread over 30 days, and one run with a
 * long log.
 */
import type { NewEvent, World } from "@hookline/core/world";

export const WORKFLOWS = ["orders", "refunds", "emails", "imports", "billing", "reports", "webhooks", "onboarding"].map(
  (name) => `workflow//app/${name}.ts//${name}`,
);
const DAY = 86_400_000;

/** Mostly finished runs, some running, a few waiting, failed or cancelled (per mille). */
const MIX: Array<[status: "completed" | "running" | "pending" | "failed" | "cancelled", perMille: number]> = [
  ["completed", 780],
  ["running", 80],
  ["pending", 30],
  ["failed", 70],
  ["cancelled", 40],
];

/** A deterministic pseudo-random sequence, so every bench run seeds the same world. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function eventsOf(status: (typeof MIX)[number][0], workflowId: string, at: number): NewEvent[] {
  const created: NewEvent = { type: "run_created", at, data: { workflowId, args: [{ id: at }], seed: "s" } };
  if (status === "pending") return [created];
  if (status === "cancelled") return [created, { type: "run_cancelled", at: at + 5, data: { reason: "bench" } }];
  const started: NewEvent = { type: "run_started", at: at + 1, data: {} };
  if (status === "running") return [created, started];
  if (status === "failed")
    return [
      created,
      started,
      { type: "run_failed", at: at + 900, data: { error: { name: "Error", message: "card declined" } } },
    ];
  return [created, started, { type: "run_completed", at: at + 800, data: { result: { $t: "u" } } }];
}

/** Appends `count` runs, `concurrency` at a time; ids are `wrun_bench<n>`. */
export async function seedRuns(
  world: World,
  count: number,
  concurrency: number,
  progress?: (done: number) => void,
): Promise<void> {
  const next = random(42);
  const now = Date.now();
  const plans = Array.from({ length: count }, (_, i) => {
    const roll = next() * 1000;
    let sum = 0;
    const status =
      MIX.find(([, perMille]) => {
        sum += perMille;
        return sum > roll;
      })?.[0] ?? "completed";
    // Skewed towards a few busy workflows.
    const workflowId = WORKFLOWS[Math.min(WORKFLOWS.length - 1, Math.floor(next() ** 2 * WORKFLOWS.length))]!;
    return {
      runId: `wrun_bench${String(i).padStart(7, "0")}`,
      events: eventsOf(status, workflowId, Math.floor(now - 30 * DAY + next() * 30 * DAY)),
    };
  });
  let index = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const plan = plans[index++];
      if (!plan) return;
      // A world seeded before (BENCH_INSPECTOR_DIR) is completed, not seeded again.
      const have = (await world.getRun(plan.runId))?.lastSeq ?? 0;
      for (const [seq, event] of plan.events.entries())
        if (seq >= have) await world.append(plan.runId, event, { expectedSeq: seq });
      if (++done % 10_000 === 0) progress?.(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** A running run with `count` events: steps started and completed, each with a small result. */
export async function seedLongRun(world: World, runId: string, count: number): Promise<void> {
  if (await world.getRun(runId)) return;
  const at = Date.now();
  await world.append(
    runId,
    { type: "run_created", at, data: { workflowId: WORKFLOWS[0]!, args: [{ orderId: 1 }], seed: "s" } },
    { expectedSeq: 0 },
  );
  await world.append(runId, { type: "run_started", at, data: {} }, { expectedSeq: 1 });
  for (let seq = 2; seq < count; seq++) {
    const corr = `o${Math.floor(seq / 2)}`;
    const event: NewEvent =
      seq % 2 === 0
        ? {
            type: "step_started",
            corr,
            at: at + seq,
            data: { stepId: "step//app/orders.ts//charge", attempt: 1, args: [{ orderId: seq }] },
          }
        : {
            type: "step_completed",
            corr,
            at: at + seq,
            data: { stepId: "step//app/orders.ts//charge", result: { id: `ch_${seq}`, amount: 1999 } },
          };
    await world.append(runId, event, { expectedSeq: seq });
  }
}

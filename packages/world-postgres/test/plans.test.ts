/**
 * The hot paths read through indexes, never a scan of a table that grows: the planner's own
 * plans for the world's statements, over tables seeded with enough rows to make a scan costly.
 */
import { beforeAll, expect, it } from "vitest";
import { ListQueries, listRunsStatement } from "../src/list-queries.js";
import { namesFor } from "../src/schema.js";
import { type Statement, statementsFor } from "../src/statements.js";
import { streamStatementsFor } from "../src/stream-statements.js";
import { useTestWorlds } from "./support/worlds.js";

const t = useTestWorlds("plans");
const schema = "plans";
const n = namesFor(schema);
const statements = statementsFor(n);
const streams = streamStatementsFor(n);

beforeAll(async () => {
  await t.world({ schema });
  await t.db.admin(`INSERT INTO ${n.runs} (run_id, workflow_id, status, created_at, updated_at, last_seq)
    SELECT 'run_' || i, 'wf//seed', 'running', i, i, 20 FROM generate_series(1, 20000) AS i`);
  // Runs of many workflows and every status, for the inspector's lists.
  await t.db.admin(`INSERT INTO ${n.runs} (run_id, workflow_id, status, created_at, updated_at, last_seq)
    SELECT 'list_' || i, 'wf//list-' || (i % 20), (ARRAY['pending', 'running', 'completed', 'failed', 'cancelled'])[1 + (i / 7) % 5], 100000 + i, 100000 + i, 3
    FROM generate_series(1, 100000) AS i`);
  await t.db.admin(`INSERT INTO ${n.events} (run_id, seq, v, type, at, data)
    SELECT 'run_' || (i % 20000 + 1), i / 20000 + 1, 1, 'step_completed', i, '{}' FROM generate_series(0, 399999) AS i`);
  await t.db.admin(`INSERT INTO ${n.hooks} (run_id, hook_id, token_hash, kind, status, created_at, ended_at)
    SELECT 'run_' || i, 'o1', md5(i::text), 'webhook', CASE WHEN i % 2 = 0 THEN 'active' ELSE 'ended' END, i, CASE WHEN i % 2 = 0 THEN NULL ELSE i END
    FROM generate_series(1, 20000) AS i`);
  // Deliveries with dedupe keys and manual answers: the webhook hot path looks them up by index.
  await t.db.admin(`INSERT INTO ${n.events} (run_id, seq, v, type, corr, at, data)
    SELECT 'run_' || (i % 20000 + 1), 100 + i / 20000, 1, 'hook_received', 'o1', i,
      json_build_object('requestId', 'req_' || i, 'dedupeKey', 'evt_' || i)
    FROM generate_series(0, 199999) AS i`);
  await t.db.admin(`INSERT INTO ${n.events} (run_id, seq, v, type, at, data)
    SELECT 'run_' || (i % 20000 + 1), 200 + i / 20000, 1, 'webhook_responded', i, json_build_object('requestId', 'req_' || i)
    FROM generate_series(0, 199999) AS i`);
  await t.db.admin(
    `INSERT INTO ${n.queue} (run_id, due_at) SELECT 'run_' || i, now() + interval '1 hour' FROM generate_series(1, 20000) AS i`,
  );
  // 2,000 runs with a stream of 100 chunks each.
  await t.db.admin(
    `INSERT INTO ${n.streams} (run_id, namespace, next_index) SELECT 'run_' || i, 'default', 100 FROM generate_series(1, 2000) AS i`,
  );
  await t.db.admin(`INSERT INTO ${n.streamChunks} (run_id, namespace, idx, data)
    SELECT 'run_' || (i % 2000 + 1), 'default', i / 2000, convert_to('chunk', 'UTF8') FROM generate_series(0, 199999) AS i`);
  // Every run was created (seq 1000 here, past the seeded events); one in a hundred reruns another.
  await t.db.admin(`INSERT INTO ${n.events} (run_id, seq, v, type, at, data)
    SELECT 'run_' || i, 1000, 1, 'run_created', i,
      CASE WHEN i % 100 = 0 THEN json_build_object('workflowId', 'wf//seed', 'rerunOf', 'run_' || (i - 1)) ELSE json_build_object('workflowId', 'wf//seed') END
    FROM generate_series(1, 20000) AS i`);
  for (const table of [n.runs, n.events, n.hooks, n.queue, n.streams, n.streamChunks])
    await t.db.admin(`ANALYZE ${table}`);
}, 120_000);

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

/** Every node of the statement's plan for these parameters. */
async function planOf(statement: Statement, values: unknown[]): Promise<PlanNode[]> {
  const result = await t.db.admin<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(
    `EXPLAIN (FORMAT JSON) ${statement.text}`,
    values,
  );
  const nodes: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    nodes.push(node);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(result.rows[0]!["QUERY PLAN"][0]!.Plan);
  return nodes;
}

const scans = (nodes: PlanNode[]) =>
  nodes.filter((node) => node["Node Type"] === "Seq Scan").map((node) => node["Relation Name"]);
const indexes = (nodes: PlanNode[]) => nodes.map((node) => node["Index Name"]).filter(Boolean);

it("getHook probes the token-hash indexes only, for known and unknown tokens", async () => {
  for (const hash of ["c4ca4238a0b923820dcc509a6f75849b", "not-a-known-hash"]) {
    const plan = await planOf(statements.getHook, [hash]);
    expect(scans(plan)).toEqual([]);
    expect(indexes(plan)).toEqual(expect.arrayContaining(["hooks_active_token_idx", "hooks_token_idx"]));
  }
});

const LIST_INDEXES = [
  "runs_list_idx",
  "runs_status_list_idx",
  "runs_workflow_list_idx",
  "runs_workflow_status_list_idx",
];

it("every list the inspector makes reads a runs list index newest first from the cursor, never the whole table, nor a sort of it", async () => {
  const before = { createdAt: 150_000, runId: "list_50000" };
  for (const statuses of [undefined, ["failed"], ["pending", "running"]]) {
    for (const workflowId of [undefined, "wf//list-3"]) {
      for (const cursor of [undefined, before]) {
        const { text, values } = listRunsStatement(n, { statuses, workflowId, limit: 51, before: cursor });
        const plan = await planOf({ text } as Statement, values);
        const where = JSON.stringify({ statuses, workflowId, cursor });
        expect(scans(plan), where).toEqual([]);
        // One list index read per status: the planner may read a wider one (newest first, filtered) when that is cheaper.
        const used = indexes(plan).filter((name) => name !== "runs_pkey" && name !== "events_pkey");
        expect(used.length, where).toBe((statuses ?? [undefined]).length);
        for (const name of used) expect(LIST_INDEXES, where).toContain(name);
        if (!statuses || statuses.length === 1)
          expect(used, where).toEqual([
            workflowId
              ? statuses
                ? "runs_workflow_status_list_idx"
                : "runs_workflow_list_idx"
              : statuses
                ? "runs_status_list_idx"
                : "runs_list_idx",
          ]);
        // Only the page's rows are sorted: no sort under the per-status limits.
        expect(plan.filter((node) => node["Node Type"] === "Sort").length, where).toBeLessThanOrEqual(1);
      }
    }
  }
});

it("countRuns reads run_counts, not the runs", async () => {
  const plan = await planOf(
    { text: `SELECT workflow_id, status, count FROM ${n.runCounts} WHERE count > 0` } as Statement,
    [],
  );
  expect(plan.map((node) => node["Relation Name"]).filter(Boolean)).toEqual(["run_counts"]);
});

it("readEvents reads only the run's newer events through the primary key", async () => {
  const plan = await planOf(statements.readEvents, ["run_77", 15]);
  expect(scans(plan)).toEqual([]);
  expect(indexes(plan)).toContain("events_pkey");
});

it("getRun is a primary-key lookup of the run and one of its first event (a child run's parent, the run it reruns)", async () => {
  const plan = await planOf(statements.getRun, ["run_77"]);
  expect(scans(plan)).toEqual([]);
  expect(indexes(plan).sort()).toEqual(["events_pkey", "runs_pkey"]);
});

it("a delivery is found by its dedupe key, and an answer by its request id, through their indexes", async () => {
  const delivery = await planOf(statements.getDelivery, ["run_77", "o1", "evt_76"]);
  expect(scans(delivery)).toEqual([]);
  expect(indexes(delivery)).toEqual(["events_dedupe_idx"]);
  const response = await planOf(statements.getResponse, ["run_77", "req_76"]);
  expect(scans(response)).toEqual([]);
  expect(indexes(response)).toEqual(["events_response_idx"]);
});

it("claiming walks the due-time index rather than the whole queue", async () => {
  const plan = await planOf(statements.claim, [16, "consumer", 30_000]);
  expect(scans(plan)).toEqual([]);
  expect(indexes(plan)).toContain("queue_due_idx");
});

it("a stream is read from an index, and its tail found, through the primary keys", async () => {
  const read = await planOf(streams.read, ["run_77", "default", 50, 500]);
  expect(scans(read)).toEqual([]);
  expect(indexes(read)).toEqual(["stream_chunks_pkey"]);
  const info = await planOf(streams.info, ["run_77", "default"]);
  expect(scans(info)).toEqual([]);
  expect(indexes(info)).toEqual(["streams_pkey"]);
  const list = await planOf(streams.list, ["run_77"]);
  expect(scans(list)).toEqual([]);
  expect(indexes(list)).toEqual(["streams_pkey"]);
});

it("listRuns({ rerunOf }) finds a run's reruns through the reruns index, then their runs by primary key", async () => {
  // The statement listRuns builds for these filters, as the world sends it.
  const sent: Array<{ text: string; values?: unknown[] }> = [];
  const capture = async (_what: string, config: { text: string; values?: unknown[] }) => {
    sent.push(config);
    return { rows: [] } as never;
  };
  const lists = new ListQueries(capture as never, () => n);
  await lists.listRuns({ rerunOf: "run_99", limit: 200 });
  await lists.listRuns({ rerunOf: "run_99", workflowId: "wf//seed", status: "running", limit: 200 });
  for (const { text, values } of sent) {
    const plan = await planOf({ name: "listRuns", text }, values ?? []);
    expect(scans(plan)).toEqual([]);
    expect(indexes(plan)).toEqual(expect.arrayContaining(["events_rerun_of_idx", "runs_pkey"]));
  }
});

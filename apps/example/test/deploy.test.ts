/**
 * A deploy while runs are in flight, through the real path (docs/deploys.md): the example built
 * as build A serves releases that sleep, wait on a hook and back off a flaky step; the workflow
 * code and a step body change, with a divergence planted, and the app is built again as build B;
 * `hookline check-replay` names every in-flight run that would diverge on B, with both calls; the
 * server restarts on B: every run of A finishes on A's workflow code with B's step code, and a new
 * run uses B's workflow code. Then a rolling deploy on PostgreSQL: one instance of each build side
 * by side, each replaying the other's runs with the bundle that started them.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { APP_DIR, eventually, type NextServer, nextBuild, startNext } from "./support/next-server";
import { createTestDatabase, type PostgresServer, resolvePostgresServer, type TestDatabase } from "./support/postgres";
import { productionBuild } from "./support/production-build";

const WORKFLOW_FILE = join(APP_DIR, "workflows", "release.ts");
const DIST_B = ".next-deploy-b";
const HOOKLINE_CLI = join(APP_DIR, "node_modules", "hookline", "bin", "hookline.mjs");

let dataDir: string;
const servers: NextServer[] = [];
let pgServer: PostgresServer | undefined;
let db: TestDatabase | undefined;

beforeAll(async () => {
  await productionBuild();
  dataDir = await mkdtemp(join(tmpdir(), "hookline-deploy-"));
}, 600_000);

afterAll(async () => {
  for (const server of servers) await server.stop().catch(() => {});
  await db?.drop().catch(() => {});
  await pgServer?.stop();
  await rm(join(APP_DIR, DIST_B), { recursive: true, force: true });
});

interface RunView {
  status: string;
  steps: Array<{ name: string; status: string; attempts: number }>;
  waits: Array<{ kind: string }>;
  result?: { workflow: string; shipped: string; prepared: string };
}

async function post<T>(url: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}

const view = async (server: NextServer, runId: string) =>
  (await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as RunView;

/** Build B: the workflow returns another shape, the ship step's body changed, and a step call is planted before the first. */
function buildBSource(source: string): string {
  const changed = source
    .replace('workflow: "v1"', 'workflow: "v2"')
    .replace("with step code v1", "with step code v2")
    .replace(
      "  const prepared = await prepareRelease(id);",
      "  await checkLicense(id);\n  const prepared = await prepareRelease(id);",
    );
  expect(changed).not.toBe(source);
  return `${changed}\nasync function checkLicense(id: string) {\n  "use step";\n  return id;\n}\n`;
}

it("runs of build A finish on A's workflow code with B's step code after a restart on B; check-replay names the planted divergence; new runs use B", async () => {
  const a = await startNext("start", { dataDir });
  servers.push(a);
  const runs: Record<"sleep" | "hook" | "retry", string> = {
    sleep: (await post<{ runId: string }>(`${a.url}/api/releases`, { id: "r-sleep", wait: "sleep" })).runId,
    hook: (await post<{ runId: string }>(`${a.url}/api/releases`, { id: "r-hook", wait: "hook" })).runId,
    retry: (await post<{ runId: string }>(`${a.url}/api/releases`, { id: "r-retry", wait: "retry" })).runId,
  };
  await eventually(
    async () => ((await view(a, runs.sleep)).waits.some((w) => w.kind === "sleep") ? true : undefined),
    30_000,
    "the sleep",
  );
  await eventually(async () => ((await view(a, runs.hook)).waits.length > 0 ? true : undefined), 30_000, "the hook");
  await eventually(
    async () =>
      (await view(a, runs.retry)).steps.some(
        (s) => s.name === "publishArtifacts" && s.attempts === 1 && s.status !== "completed",
      )
        ? true
        : undefined,
    30_000,
    "the flaky step's first attempt",
  );
  await a.stop();

  const source = await readFile(WORKFLOW_FILE, "utf8");
  try {
    await writeFile(WORKFLOW_FILE, buildBSource(source));
    await nextBuild({ distDir: DIST_B });
  } finally {
    await writeFile(WORKFLOW_FILE, source);
  }

  // Before starting B: the in-flight runs of A, replayed on B's bundle (the one B's build generated).
  const check = await promisify(execFile)(process.execPath, [HOOKLINE_CLI, "check-replay", "--dir", dataDir], {
    cwd: APP_DIR,
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout + error.stderr,
    }),
  );
  expect(check.code, check.stdout).toBe(1);
  for (const runId of Object.values(runs)) {
    expect(check.stdout).toMatch(
      new RegExp(
        `run ${runId} of \\S+//release diverges at event \\d+: the log recorded step "\\S+//prepareRelease", the code now calls step "\\S+//checkLicense"\\.`,
      ),
    );
  }
  expect(check.stdout).toContain("3 runs checked");

  const b = await startNext("start", { distDir: DIST_B, dataDir });
  servers.push(b);
  await post(`${b.url}/api/releases/r-hook`);
  for (const [wait, runId] of Object.entries(runs)) {
    const done = await eventually(
      async () => {
        const v = await view(b, runId);
        return v.status === "completed" || v.status === "failed" ? v : undefined;
      },
      60_000,
      `the ${wait} release to end`,
    );
    expect(done.status, JSON.stringify(done)).toBe("completed");
    const id = `r-${wait}`;
    expect(done.result).toEqual({
      id,
      workflow: "v1",
      prepared: `prepared ${id}`,
      shipped: `shipped ${id} with step code v2`,
    });
  }

  const fresh = (await post<{ runId: string }>(`${b.url}/api/releases`, { id: "n-hook", wait: "hook" })).runId;
  await eventually(
    async () => ((await view(b, fresh)).waits.length > 0 ? true : undefined),
    30_000,
    "the new release's hook",
  );
  await post(`${b.url}/api/releases/n-hook`);
  const done = await eventually(
    async () => {
      const v = await view(b, fresh);
      return v.status === "completed" ? v : undefined;
    },
    30_000,
    "the new release to end",
  );
  expect(done.result).toEqual({
    id: "n-hook",
    workflow: "v2",
    prepared: "prepared n-hook",
    shipped: "shipped n-hook with step code v2",
  });
  expect(done.steps.map((s) => s.name)).toContain("checkLicense");
}, 900_000);

it("a rolling deploy on PostgreSQL: an instance of each build side by side; every run ends on the workflow code that started it", async () => {
  pgServer = await resolvePostgresServer();
  db = await createTestDatabase(pgServer.url, "deploy");
  const env = {
    HOOKLINE_WORLD: "postgres",
    HOOKLINE_POSTGRES_URL: db.url,
    HOOKLINE_SECRET: "deploy-test-secret-0123456789abcdef0123456789",
  };
  const a = await startNext("start", { env });
  servers.push(a);
  const ofA = {
    hook: (await post<{ runId: string }>(`${a.url}/api/releases`, { id: "pa-hook", wait: "hook" })).runId,
    retry: (await post<{ runId: string }>(`${a.url}/api/releases`, { id: "pa-retry", wait: "retry" })).runId,
  };
  await eventually(
    async () => ((await view(a, ofA.hook)).waits.length > 0 ? true : undefined),
    30_000,
    "A's release to wait on its hook",
  );

  // B joins while A keeps running (the same database, the same queue).
  const b = await startNext("start", { distDir: DIST_B, env });
  servers.push(b);
  const ofB = (await post<{ runId: string }>(`${b.url}/api/releases`, { id: "pb-hook", wait: "hook" })).runId;
  await eventually(
    async () => ((await view(b, ofB)).waits.length > 0 ? true : undefined),
    30_000,
    "B's release to wait on its hook",
  );
  // Each go-ahead through the other build's instance: whichever instance drives a run, it replays its own build's code.
  await post(`${b.url}/api/releases/pa-hook`);
  await post(`${a.url}/api/releases/pb-hook`);

  const ended = (runId: string) =>
    eventually(
      async () => {
        const v = await view(b, runId);
        return v.status === "completed" || v.status === "failed" ? v : undefined;
      },
      90_000,
      `run ${runId} to end`,
    );
  for (const [id, runId] of [
    ["pa-hook", ofA.hook],
    ["pa-retry", ofA.retry],
  ] as const) {
    const done = await ended(runId);
    expect(done.status, JSON.stringify(done)).toBe("completed");
    expect(done.result).toMatchObject({ id, workflow: "v1", prepared: `prepared ${id}` });
    expect(done.result?.shipped).toMatch(new RegExp(`^shipped ${id} with step code v[12]$`));
  }
  const doneB = await ended(ofB);
  expect(doneB.status, JSON.stringify(doneB)).toBe("completed");
  expect(doneB.result).toMatchObject({ id: "pb-hook", workflow: "v2", prepared: "prepared pb-hook" });
  // B's run called checkLicense, which only B has: if A drove it there, A left the step to B.
  expect(doneB.steps.find((s) => s.name === "checkLicense")?.status).toBe("completed");
}, 600_000);

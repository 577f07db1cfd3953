/**
 * No connection length limit: one Server-Sent Events connection to a real `next start` stays
 * attached for over ten minutes of sporadic writes (pauses of up to 310 s, longer than Node's
 * request and header timeouts) and receives every chunk as it is written, then the end event.
 * On the local world, and on PostgreSQL across two instances (written on one, read on the
 * other, told through LISTEN/NOTIFY), both at once.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "./support/instances";
import { type NextServer, startNext } from "./support/next-server";
import { createTestDatabase, type PostgresServer, resolvePostgresServer, type TestDatabase } from "./support/postgres";
import { productionBuild } from "./support/production-build";

/** The pause before each tick: 605 s in all. */
const PAUSES_MS = [0, 5_000, 60_000, 120_000, 310_000, 110_000];

let local: NextServer;
let pgServer: PostgresServer;
let db: TestDatabase;
let cluster: Cluster;

beforeAll(async () => {
  await productionBuild();
  pgServer = await resolvePostgresServer();
  db = await createTestDatabase(pgServer.url, "long_reader");
  [local, cluster] = await Promise.all([startNext("start"), startCluster({ databaseUrl: db.url, names: ["a", "b"] })]);
});

afterAll(async () => {
  await local?.stop();
  await cluster?.close();
  await db?.drop();
  await pgServer?.stop();
});

interface Received {
  id: string;
  data: { index: number; writtenAt: number };
  at: number;
}

interface Attached {
  ticks: Received[];
  end: string;
  /** Comments (keep-alives) received between ticks. */
  comments: number;
}

/** Reads the SSE route over one raw HTTP connection (no client-side idle limit) until its `end` event. */
function attach(url: string): Promise<Attached> {
  return new Promise((resolve, reject) => {
    const ticks: Received[] = [];
    let comments = 0;
    let buffer = "";
    const req = request(url, { headers: { accept: "text/event-stream" } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`${url} answered ${response.statusCode}`));
      response.setEncoding("utf8");
      response.on("data", (text: string) => {
        buffer += text;
        for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (block.startsWith(":")) {
            comments++;
            continue;
          }
          const fields = Object.fromEntries(
            block.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
          );
          if (fields.event === "end") {
            response.destroy();
            return resolve({ ticks, end: fields.data ?? "", comments });
          }
          ticks.push({ id: fields.id ?? "", data: JSON.parse(fields.data ?? "null"), at: Date.now() });
        }
      });
      response.on("end", () =>
        reject(new Error(`${url}: the connection ended after ${ticks.length} ticks, without an end event`)),
      );
      response.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function startTicker(base: string): Promise<string> {
  const response = await fetch(`${base}/api/tickers`, {
    method: "POST",
    body: JSON.stringify({ pausesMs: PAUSES_MS }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { runId: string }).runId;
}

function expectEveryTickLive(attached: Attached): void {
  expect(attached.ticks.map((t) => t.id)).toEqual(PAUSES_MS.map((_, i) => String(i)));
  expect(attached.ticks.map((t) => t.data.index)).toEqual(PAUSES_MS.map((_, i) => i));
  // Each tick arrived as it was written, not at a reconnect or the run's end.
  for (const tick of attached.ticks) expect(tick.at - tick.data.writtenAt).toBeLessThan(5_000);
  const span = attached.ticks.at(-1)!.at - attached.ticks[0]!.at;
  expect(span).toBeGreaterThan(600_000);
  expect(JSON.parse(attached.end)).toMatchObject({ status: "completed" });
  // The idle connection was kept open by comments (every 15 s).
  expect(attached.comments).toBeGreaterThan(30);
}

describe("a reader attached for ten minutes", () => {
  it("receives every chunk of sporadic writes over one connection, on the local world and across PostgreSQL instances", {
    timeout: 900_000,
  }, async () => {
    const localRun = await startTicker(local.url);
    const pgRun = await startTicker(cluster.get("a").server.url);
    const [onLocal, onPostgres] = await Promise.all([
      attach(`${local.url}/api/tickers/${localRun}/stream`),
      attach(`${cluster.get("b").server.url}/api/tickers/${pgRun}/stream`),
    ]);
    expectEveryTickLive(onLocal);
    expectEveryTickLive(onPostgres);
  });
});

/** The deployment secret: made once, kept apart from the run records, agreed on by racing processes. */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorldError } from "@hookline/core/world";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createLocalWorld, memoryDriver } from "../src/index.js";
import { kill, startChild } from "./support/processes.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-secret-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HEX_32_BYTES = /^[0-9a-f]{64}$/;

describe("loadSecret", () => {
  test("makes 32 random bytes on first use and stores them in <dir>/secret, readable by the owner only", async () => {
    const world = createLocalWorld({ dir });
    const secret = await world.loadSecret();
    expect(secret).toMatch(HEX_32_BYTES);
    expect(await world.loadSecret()).toBe(secret);
    expect((await readFile(join(dir, "secret"), "utf8")).trim()).toBe(secret);
    if (process.platform !== "win32") expect((await stat(join(dir, "secret"))).mode & 0o777).toBe(0o600);
    await world.close();
  });

  test("returns the same secret after a restart, and a new directory gets a different one", async () => {
    const first = createLocalWorld({ dir });
    const secret = await first.loadSecret();
    await first.close();
    const second = createLocalWorld({ dir });
    expect(await second.loadSecret()).toBe(secret);
    await second.close();
    const elsewhere = createLocalWorld({ dir: join(dir, "other") });
    expect(await elsewhere.loadSecret()).not.toBe(secret);
    await elsewhere.close();
  });

  test("worlds racing on a fresh directory agree on one secret", async () => {
    const worlds = Array.from({ length: 8 }, () => createLocalWorld({ dir }));
    const secrets = await Promise.all(worlds.map((world) => world.loadSecret()));
    expect(new Set(secrets).size).toBe(1);
    await Promise.all(worlds.map((world) => world.close()));
  });

  test("processes racing on a fresh directory agree on one secret", async () => {
    const children = Array.from({ length: 4 }, () => startChild(["secret", dir]));
    const lines = await Promise.all(children.map((child) => child.waitForLine(/^secret /)));
    await Promise.all(children.map(kill));
    const secrets = new Set(lines.map((line) => line.slice("secret ".length)));
    expect(secrets.size).toBe(1);
    expect([...secrets][0]).toMatch(HEX_32_BYTES);
    expect((await readFile(join(dir, "secret"), "utf8")).trim()).toBe([...secrets][0]);
  }, 60_000);

  test("is never written into the run records", async () => {
    const world = createLocalWorld({ dir });
    await world.start();
    const secret = await world.loadSecret();
    await world.append(
      "run_secret",
      { type: "run_created", at: 1, data: { workflowId: "wf", args: [], seed: "s" } },
      { expectedSeq: 0, wake: {} },
    );
    await world.close();
    const holders: string[] = [];
    const walk = async (path: string) => {
      for (const entry of await readdir(path, { withFileTypes: true })) {
        const full = join(path, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if ((await readFile(full, "utf8")).includes(secret)) holders.push(full.slice(dir.length + 1));
      }
    };
    await walk(dir);
    expect(holders).toEqual(["secret"]);
  });

  test("a damaged secret file is reported, not replaced", async () => {
    await writeFile(join(dir, "secret"), "not-a-secret", { mode: 0o600 });
    const world = createLocalWorld({ dir });
    const error = await world.loadSecret().catch((e: unknown) => e);
    expect(WorldError.is(error), String(error)).toBe(true);
    expect((error as Error).message).toContain(join(dir, "secret"));
    expect(await readFile(join(dir, "secret"), "utf8")).toBe("not-a-secret");
    await world.close();
  });

  test("the memory driver keeps one secret per driver instance", async () => {
    const driver = memoryDriver();
    const a = createLocalWorld({ driver });
    const b = createLocalWorld({ driver });
    const secret = await a.loadSecret();
    expect(secret).toMatch(HEX_32_BYTES);
    expect(await b.loadSecret()).toBe(secret);
    const other = createLocalWorld({ driver: "memory" });
    expect(await other.loadSecret()).not.toBe(secret);
    await other.close();
    await a.close();
    await b.close();
  });
});

/**
 * Migrations: applied by start(), each once, each in its own transaction, with instances that
 * start together serialized by an advisory lock.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../src/schema.js";
import { ev, newRunId, useTestWorlds } from "./support/worlds.js";

const t = useTestWorlds("migrations");
const freshSchema = () => `m_${randomBytes(4).toString("hex")}`;

async function applied(schema: string) {
  const result = await t.db.admin<{ version: number; applied_at: Date }>(
    `SELECT version, applied_at FROM "${schema}".migrations ORDER BY version`,
  );
  return result.rows;
}

describe("migrations", () => {
  it("are applied once when many instances start together on an empty database", async () => {
    const schema = freshSchema();
    const worlds = Array.from({ length: 6 }, () => t.create({ schema }));
    await Promise.all(worlds.map((world) => world.start()));
    expect((await applied(schema)).map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const runId = newRunId();
    await worlds[0]!.append(runId, ev.created(), { expectedSeq: 0 });
    expect((await worlds[5]!.getRun(runId))?.lastSeq).toBe(1);
  });

  it("are not applied again by a later start", async () => {
    const schema = freshSchema();
    await t.world({ schema });
    const before = await applied(schema);
    await t.world({ schema });
    expect(await applied(schema)).toEqual(before);
  });

  it("roll back a failing migration entirely and name it", async () => {
    const schema = freshSchema();
    await t.world({ schema });
    const next = Math.max(...MIGRATIONS.map((m) => m.version)) + 1;
    MIGRATIONS.push({
      version: next,
      name: "broken on purpose",
      sql: (n) => `CREATE TABLE ${n.schema}.half_done (id int); SELECT no_such_function();`,
    });
    try {
      const error = await t
        .create({ schema })
        .start()
        .catch((e: unknown) => e);
      expect(String(error)).toMatch(
        new RegExp(
          `migration ${next} \\(broken on purpose\\) of schema "${schema}" failed: function no_such_function\\(\\) does not exist`,
        ),
      );
      expect((await applied(schema)).map((row) => row.version)).not.toContain(next);
      const table = await t.db.admin<{ present: boolean }>("SELECT to_regclass($1) IS NOT NULL AS present", [
        `"${schema}".half_done`,
      ]);
      expect(table.rows[0]!.present).toBe(false);
    } finally {
      MIGRATIONS.pop();
    }
  });

  it("keep each schema separate, so several deployments can share a database", async () => {
    const [one, two] = [freshSchema(), freshSchema()];
    const [a, b] = await Promise.all([t.world({ schema: one }), t.world({ schema: two })]);
    const runId = newRunId();
    await a.append(runId, ev.created(), { expectedSeq: 0 });
    expect(await b.getRun(runId)).toBeNull();
    await b.append(runId, ev.created(), { expectedSeq: 0 });
    const heardByA: string[] = [];
    a.onAppend((id, seq) => heardByA.push(`${id}:${seq}`));
    await b.append(runId, ev.started(), { expectedSeq: 1 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(heardByA).toEqual([]);
  });
});

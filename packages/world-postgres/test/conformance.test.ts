/**
 * The shared conformance suite, unchanged, against PostgreSQL: every test gets a fresh schema in
 * this file's database (dropped afterwards); reopen() is a new world on the same schema, as after
 * a process restart, and peer() another one open at the same time, as a second app instance.
 */
import { randomBytes } from "node:crypto";
import { describeWorldConformance } from "@hookline/world-testing";
import { afterAll, beforeAll, inject } from "vitest";
import { createPostgresWorld } from "../src/index.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(inject("hooklinePostgresUrl"), "conformance");
});
afterAll(async () => {
  await db?.drop();
});

describeWorldConformance("postgres", async () => {
  const schema = `c_${randomBytes(5).toString("hex")}`;
  // A short first redelivery keeps the suite's redelivery tests quick; everything else is default.
  const open = () =>
    createPostgresWorld({ connectionString: db.url, schema, redeliveryDelayMs: 50, onError: () => {} });
  return {
    world: open(),
    reopen: async () => open(),
    peer: async () => open(),
    cleanup: async () => {
      await db.admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
});

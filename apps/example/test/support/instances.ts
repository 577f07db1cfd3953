/**
 * Several `next start` instances of the example's production build on one PostgreSQL database,
 * behind a round-robin balancer that HOOKLINE_BASE_URL points at (as a deployment would). Each
 * instance connects with its own application_name, so the database can tell who wrote what.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Balancer, startBalancer } from "./balancer";
import { type NextServer, startNext } from "./next-server";
import { asInstance } from "./postgres";

export const SECRET = "instances-test-secret-0123456789abcdef0123456789";

export interface Instance {
  /** "a", "b", …; its connections' application_name is `hookline-<name>`. */
  name: string;
  writer: string;
  server: NextServer;
  alive: boolean;
}

export interface Cluster {
  instances: Instance[];
  balancer: Balancer;
  /** The instance named `name`. */
  get(name: string): Instance;
  /** Freezes an instance (SIGSTOP), lets it go on (SIGCONT), or kills it (SIGKILL). */
  signal(instance: Instance, signal: "SIGSTOP" | "SIGCONT" | "SIGKILL"): void;
  close(): Promise<void>;
}

export async function startCluster(options: {
  databaseUrl: string;
  names: string[];
  env?: Record<string, string>;
}): Promise<Cluster> {
  const instances: Instance[] = [];
  // Uploads go to shared storage, as they would in S3: any instance's steps can read them.
  const uploads = await mkdtemp(join(tmpdir(), "hookline-instances-uploads-"));
  const balancer = await startBalancer(() => instances.filter((i) => i.alive).map((i) => i.server.url));
  const cluster: Cluster = {
    instances,
    balancer,
    get(name) {
      const found = instances.find((i) => i.name === name);
      if (!found) throw new Error(`no instance ${name}`);
      return found;
    },
    signal(instance, signal) {
      process.kill(-instance.server.pid, signal);
      if (signal === "SIGKILL") instance.alive = false;
    },
    async close() {
      await Promise.all(instances.map((i) => i.server.stop("SIGKILL")));
      if (process.env.HOOKLINE_TEST_SERVER_LOGS)
        for (const i of instances) console.log(`--- instance ${i.name} ---\n${i.server.output()}`);
      await balancer.close();
    },
  };
  try {
    await Promise.all(
      options.names.map(async (name) => {
        const server = await startNext("start", {
          env: {
            HOOKLINE_WORLD: "postgres",
            HOOKLINE_POSTGRES_URL: asInstance(options.databaseUrl, `hookline-${name}`),
            HOOKLINE_SECRET: SECRET,
            HOOKLINE_BASE_URL: balancer.url,
            EXAMPLE_UPLOADS_DIR: uploads,
            ...options.env,
          },
        });
        instances.push({ name, writer: `hookline-${name}`, server, alive: true });
        // The boot request has started the runtime (migrated, listening, consuming).
        await server.waitForOutput(/\[hookline\] runtime started/, 60_000);
      }),
    );
    instances.sort((x, y) => x.name.localeCompare(y.name));
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}

export async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** A CSV of `rows` customers (plus its header line). */
export function customersCsv(rows: number): string {
  const lines = ["id,name,email"];
  for (let i = 1; i <= rows; i++) lines.push(`${i},Customer ${i},c${i}@example.com`);
  return `${lines.join("\n")}\n`;
}

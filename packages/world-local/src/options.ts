/** Options of the local world, their defaults, and the checks that name a bad value. */
import { join, resolve } from "node:path";
import { WorldError } from "@hookline/core/world";
import type { Driver } from "unstorage";

export interface LocalWorldOptions {
  /** Data directory of the fs driver. Default `<cwd>/.hookline`. */
  dir?: string;
  /** "fs" (default): crash-safe files under `dir`; "memory": nothing persisted (tests); or any unstorage driver. */
  driver?: "fs" | "memory" | Driver;
  /** First redelivery delay after a queue handler rejects, ms; doubles per attempt. Default 1,000. */
  redeliveryDelayMs?: number;
  /** Upper bound of the redelivery backoff, ms. Default 60,000. */
  maxRedeliveryDelayMs?: number;
  /**
   * How long a run summary may lag behind its log in storage, ms (default 20). Summaries are
   * checkpoints written behind the appends; every read catches up from the log, so this only
   * trades write volume against how far a reader in another process reads forward.
   */
  summaryFlushMs?: number;
  /**
   * How often a consuming world looks for queue messages other processes wrote into the same
   * directory, ms (default 1,000; 0 turns it off). Messages this process enqueues are delivered
   * at once without it.
   */
  scanIntervalMs?: number;
  /**
   * How long a concurrency slot stays held without its runtime renewing it, ms (default 30,000):
   * the slot of a process that died comes back after this.
   */
  slotLeaseMs?: number;
  /** fs driver: fsync every write (power-loss safety, several times slower). Default false. */
  fsync?: boolean;
  /** Run states kept in memory (default 10,000); others are read back from storage when needed. */
  maxCachedRuns?: number;
  /** Where failures of background work (handlers, summary writes, scans) are reported. Default console.error. */
  onError?: (error: unknown, where: string) => void;
}

export interface ResolvedOptions {
  dir: string;
  driver: "fs" | "memory" | Driver;
  redeliveryDelayMs: number;
  maxRedeliveryDelayMs: number;
  summaryFlushMs: number;
  scanIntervalMs: number;
  slotLeaseMs: number;
  fsync: boolean;
  maxCachedRuns: number;
  onError: (error: unknown, where: string) => void;
}

export function resolveOptions(options: LocalWorldOptions | undefined = {}): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw configError(
      `the options must be an object, e.g. createLocalWorld({ dir: ".hookline" }), got ${typeof options}.`,
    );
  }
  const driver = options.driver ?? "fs";
  if (driver !== "fs" && driver !== "memory" && !isDriver(driver)) {
    throw configError(
      `driver must be "fs", "memory" or an unstorage driver (with getItem, setItem and getKeys), got ${JSON.stringify(driver)}.`,
    );
  }
  if (options.dir !== undefined && (typeof options.dir !== "string" || options.dir.trim() === "")) {
    throw configError(`dir must be a directory path, got ${JSON.stringify(options.dir)}.`);
  }
  const onError =
    options.onError ?? ((error: unknown, where: string) => console.error(`[hookline local world] ${where}:`, error));
  if (typeof onError !== "function") throw configError("onError must be a function (error, where) => void.");
  return {
    // A data folder chosen at run time: bundlers must not trace the project through it.
    dir: resolve(
      /* turbopackIgnore: true */ options.dir ?? join(/* turbopackIgnore: true */ process.cwd(), ".hookline"),
    ),
    driver,
    redeliveryDelayMs: duration(options.redeliveryDelayMs, "redeliveryDelayMs", 1_000, 1),
    maxRedeliveryDelayMs: duration(options.maxRedeliveryDelayMs, "maxRedeliveryDelayMs", 60_000, 1),
    summaryFlushMs: duration(options.summaryFlushMs, "summaryFlushMs", 20, 0),
    scanIntervalMs: duration(options.scanIntervalMs, "scanIntervalMs", 1_000, 0),
    slotLeaseMs: duration(options.slotLeaseMs, "slotLeaseMs", 30_000, 30),
    fsync: options.fsync === true,
    maxCachedRuns: duration(options.maxCachedRuns, "maxCachedRuns", 10_000, 1),
    onError,
  };
}

function isDriver(value: unknown): value is Driver {
  const driver = value as Partial<Driver> | null;
  return (
    typeof driver === "object" &&
    driver !== null &&
    typeof driver.getItem === "function" &&
    typeof driver.getKeys === "function"
  );
}

function duration(value: number | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw configError(`${name} must be a number ≥ ${min}, got ${String(value)}.`);
  }
  return value;
}

function configError(what: string): WorldError {
  return new WorldError(`Local world: ${what}`, { code: "HOOKLINE_CONFIG" });
}

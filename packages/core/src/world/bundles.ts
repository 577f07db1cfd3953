/**
 * Workflow bundles as the world keeps them: each build's bundle, content-addressed (its id is the
 * SHA-256 of its code), so a run is always replayed with the code that started it, on any instance
 * and after any restart (run_created records the id). The runtime stores its build's bundle on
 * first use and sweeps bundles no unfinished run needs (see host/bundle-store.ts).
 */
import { createHash } from "node:crypto";
import { WorldError } from "../shared/errors.js";
import { describe } from "./checks.js";

export interface StoredBundle {
  /** SHA-256 (hex) of `code`. */
  id: string;
  code: string;
  /** When a runtime last stored (or re-stored) it, ms: a sweep keeps recently stored bundles. */
  storedAt: number;
}

/** A stored bundle without its code (listing). */
export interface BundleInfo {
  id: string;
  storedAt: number;
  /** The code's length in UTF-8 bytes. */
  bytes: number;
}

export interface SweepOptions {
  /** Never removed (the current build's bundle). */
  keep: string[];
  /** Only bundles last stored before this (ms) are removed, so an instance starting runs with one is not raced. */
  storedBefore: number;
}

export interface WorldBundles {
  /** Stores the bundle unless one with its id is stored; either way sets its storedAt to `at`. */
  put(id: string, code: string, at: number): Promise<void>;
  get(id: string): Promise<StoredBundle | null>;
  /** Every stored bundle, by id. */
  list(): Promise<BundleInfo[]>;
  /**
   * Removes the bundles not in `keep`, stored before `storedBefore`, that no unfinished (pending or
   * running) run names (the `bundleId` of its run_created or of a run_upgraded); returns the removed ids.
   */
  sweep(options: SweepOptions): Promise<string[]>;
}

/** A bundle's id: the SHA-256 (hex) of its code. */
export function bundleIdOf(code: string): string {
  return createHash("sha256").update(code).digest("hex");
}

export const BUNDLE_ID_PATTERN = /^[0-9a-f]{64}$/;

/** `id` if it is a bundle id, else a WorldError naming the world and the call. */
export function checkBundleId(world: string, id: unknown, where: string): string {
  if (typeof id !== "string" || !BUNDLE_ID_PATTERN.test(id)) {
    throw new WorldError(
      `${world}: ${where}: the bundle id must be the SHA-256 of its code (64 hex digits), got ${describe(id)}`,
    );
  }
  return id;
}

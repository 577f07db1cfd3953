/**
 * Drivers that honour `setItem(key, value, { exclusive: true })` — create only if absent,
 * atomically — are marked here. For any other unstorage driver the world falls back to "check,
 * then write" under its in-process lock, which is exact within one process only.
 */
import type { Driver } from "unstorage";

const exclusiveDrivers = new WeakSet<object>();

export function markExclusive<T extends Driver>(driver: T): T {
  exclusiveDrivers.add(driver);
  return driver;
}

export function supportsExclusive(driver: Driver): boolean {
  return exclusiveDrivers.has(driver);
}

/** The error a driver throws when an exclusive create finds the key taken. */
export function existsError(key: string): Error {
  return Object.assign(new Error(`[hookline] ${key} already exists`), { code: "EEXIST" });
}

/**
 * An unstorage driver for the local file system whose writes are atomic: a value is written to
 * a temporary file first and then moved into place, so a reader (or a process started after a
 * crash) sees the old value or the new one, never a torn one. unstorage's own fs driver writes
 * in place and cannot create a key only if it is absent, which an append log needs.
 *
 * - `setItem(key, value)` writes a temp file and renames it over the key.
 * - `setItem(key, value, { exclusive: true })` links the temp file to the key: link() fails with
 *   EEXIST when the key exists, atomically, so of two processes creating the same key exactly
 *   one wins (the loser gets an error whose `code` is "EEXIST").
 * - `setItem(key, value, { mode: 0o600 })` sets the new file's permissions.
 * - `link(from, to)` makes `to` a second name of `from`'s file (a hard link, created exclusively):
 *   an index entry that holds what a written, never-rewritten key holds costs one system call.
 *
 * Durability: by default nothing is fsynced. A process killed at any moment (even SIGKILL)
 * loses nothing that was written, because the data is in the kernel's page cache by the time
 * the write returns; only a power cut or kernel crash could lose the last writes, and an
 * fsync per append would cost ~10x the append itself on ordinary disks. `fsync: true` syncs
 * every file and its directory for those who want power-loss safety.
 *
 * Calls are synchronous system calls: on a local disk a small write costs tens of µs, well
 * below a round trip through libuv's thread pool, and keeps an append near 100 µs.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defineDriver } from "unstorage";
import { isAlive } from "../process-alive.js";
import { markExclusive } from "./exclusive.js";

export interface FsDriverOptions {
  /** The directory everything is stored under. */
  base: string;
  /** fsync each written file and its directory (power-loss safety; slower). Default false. */
  fsync?: boolean;
}

/** Temp files of live processes live in `<base>/tmp/<pid>-<random>/`; keys never start with it. */
const TEMP_DIR = "tmp";

interface ErrnoError extends Error {
  code?: string;
}

const isCode = (error: unknown, code: string) => (error as ErrnoError | null)?.code === code;

export const fsDriver = defineDriver((options: FsDriverOptions) => {
  const base = resolve(options.base);
  const fsync = options.fsync === true;
  const tempDir = join(base, TEMP_DIR, `${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  let tempReady = false;
  let counter = 0;
  const knownDirs = new Set<string>();

  const pathOf = (key: string): string => {
    const segments = key.split(":");
    for (const segment of segments) {
      if (segment === "" || segment === "." || segment === ".." || segment.includes("\0")) {
        throw new Error(`[hookline fs driver] invalid key ${JSON.stringify(key)}`);
      }
    }
    if (segments[0] === TEMP_DIR) throw new Error(`[hookline fs driver] the key ${JSON.stringify(key)} is reserved`);
    return join(base, ...segments);
  };

  const ensureDir = (dir: string) => {
    if (knownDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    knownDirs.add(dir);
  };

  const writeTemp = (value: string, mode: number | undefined): string => {
    if (!tempReady) {
      mkdirSync(tempDir, { recursive: true });
      tempReady = true;
    }
    const temp = join(tempDir, String(counter++));
    if (fsync) {
      const fd = openSync(temp, "w", mode ?? 0o666);
      try {
        writeSync(fd, value);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } else {
      writeFileSync(temp, value, mode === undefined ? undefined : { mode });
    }
    return temp;
  };

  const syncDir = (dir: string) => {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };

  /** Moves `temp` to `path` (link for exclusive creation, rename otherwise), creating parents once. */
  const place = (temp: string, path: string, exclusive: boolean) => {
    const dir = dirname(path);
    ensureDir(dir);
    const move = exclusive ? linkSync : renameSync;
    try {
      move(temp, path);
    } catch (error) {
      if (!isCode(error, "ENOENT")) throw error;
      // The directory went away (cleared) since we last saw it.
      knownDirs.delete(dir);
      ensureDir(dir);
      move(temp, path);
    }
    if (fsync) syncDir(dir);
  };

  const read = (key: string, options?: { present?: boolean }): string | null => {
    const path = pathOf(key);
    // existsSync first: a miss is the common end of a read-forward and costs ~2 µs this way,
    // against ~30 µs for a thrown ENOENT. Not for a key the caller expects (a whole log read:
    // fifty hits, one miss), where it is a stat per hit.
    if (!options?.present && !existsSync(path)) return null;
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      if (isCode(error, "ENOENT")) return null;
      throw error;
    }
  };

  const listKeys = (prefix: string, maxDepth: number | undefined): string[] => {
    const segments = prefix.split(":").filter(Boolean);
    if (segments[0] === TEMP_DIR) return [];
    const keys: string[] = [];
    const walk = (dir: string, keyPrefix: string[], depth: number) => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return;
        throw error;
      }
      for (const entry of entries) {
        if (depth === 0 && entry.name === TEMP_DIR) continue;
        if (entry.isDirectory()) {
          if (maxDepth === undefined || depth < maxDepth)
            walk(join(dir, entry.name), [...keyPrefix, entry.name], depth + 1);
        } else if (entry.isFile()) {
          keys.push([...keyPrefix, entry.name].join(":"));
        }
      }
    };
    walk(join(base, ...segments), segments, segments.length);
    return keys;
  };

  const driver = {
    name: "hookline-fs",
    flags: { maxDepth: true },
    options,
    hasItem(key: string) {
      return existsSync(pathOf(key));
    },
    getItem: read,
    getItemRaw: read,
    setItem(key: string, value: string, opts: { exclusive?: boolean; mode?: number } = {}) {
      const path = pathOf(key);
      const temp = writeTemp(value, opts.mode);
      try {
        place(temp, path, opts.exclusive === true);
      } finally {
        if (opts.exclusive === true) {
          try {
            unlinkSync(temp);
          } catch {
            // Only a stray temp file is left behind; start() removes temp dirs of dead processes.
          }
        }
      }
    },
    setItemRaw(key: string, value: string, opts: { exclusive?: boolean; mode?: number } = {}) {
      driver.setItem(key, value, opts);
    },
    /** False if `to` exists; throws if `from` does not. */
    link(from: string, to: string): boolean {
      try {
        place(pathOf(from), pathOf(to), true);
        return true;
      } catch (error) {
        if (isCode(error, "EEXIST")) return false;
        throw error;
      }
    },
    removeItem(key: string) {
      try {
        unlinkSync(pathOf(key));
      } catch (error) {
        if (!isCode(error, "ENOENT")) throw error;
      }
    },
    getKeys(prefix: string, opts: { maxDepth?: number } = {}) {
      return listKeys(prefix ?? "", opts.maxDepth);
    },
    clear(prefix: string) {
      const segments = (prefix ?? "").split(":").filter(Boolean);
      if (segments.length === 0) {
        for (const entry of readdirSafe(base))
          if (entry !== TEMP_DIR) rmSync(join(base, entry), { recursive: true, force: true });
      } else {
        rmSync(join(base, ...segments), { recursive: true, force: true });
      }
      knownDirs.clear();
    },
    dispose() {
      tempReady = false;
      try {
        rmSync(tempDir, { recursive: true, force: true });
      } catch {
        // Nothing was ever written (the directory could not be made); nothing to clean.
      }
    },
  };
  return markExclusive(driver);
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Removes the temp dirs of processes that are gone (a crash may leave a temp file behind). */
export function removeStaleTempDirs(base: string): void {
  const root = join(resolve(base), TEMP_DIR);
  for (const entry of readdirSafe(root)) {
    const pid = Number(entry.split("-")[0]);
    if (pid === process.pid || (Number.isInteger(pid) && pid > 0 && isAlive(pid))) continue;
    rmSync(join(root, entry), { recursive: true, force: true });
  }
}

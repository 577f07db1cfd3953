/**
 * The world's view of its unstorage instance: JSON values by key, created exclusively where the
 * log needs it, with errors that name the key. Values are stored as the exact JSON text the
 * world produced (getItemRaw/setItemRaw), never through unstorage's destr parsing, which would
 * drop `__proto__` keys and turn numeric strings into numbers.
 */
import { WorldError } from "@hookline/core/world";
import { createStorage, type Driver, type Storage } from "unstorage";
import { supportsExclusive } from "./drivers/exclusive.js";

/** `present`: the key most likely exists (a read-forward through a whole log): look it up without checking first. */
export interface ReadOptions {
  present?: boolean;
}

/** A driver of this package that can give a stored value a second key without copying it (fs: a hard link). */
interface LinkingDriver {
  link(from: string, to: string): boolean;
}

export class Store {
  readonly #storage: Storage;
  readonly #exclusive: boolean;
  readonly #linking: LinkingDriver | null;

  constructor(driver: Driver) {
    this.#storage = createStorage({ driver });
    this.#exclusive = supportsExclusive(driver);
    this.#linking =
      typeof (driver as Partial<LinkingDriver>).link === "function" ? (driver as unknown as LinkingDriver) : null;
  }

  async readText(key: string, options?: ReadOptions): Promise<string | null> {
    let value: unknown;
    try {
      value = await this.#storage.getItemRaw(key, options);
    } catch (error) {
      throw storageError(`reading ${key}`, error);
    }
    if (value === null || value === undefined) return null;
    if (typeof value === "string") return value;
    if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
    return JSON.stringify(value);
  }

  async read<T>(key: string, options?: ReadOptions): Promise<T | null> {
    const text = await this.readText(key, options);
    if (text === null) return null;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new WorldError(`Local world: ${key} does not hold valid JSON (was it edited by hand?).`, { cause: error });
    }
  }

  async write(key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    try {
      await this.#storage.setItemRaw(key, text);
    } catch (error) {
      throw storageError(`writing ${key}`, error);
    }
  }

  /**
   * Creates `key` only if it is absent; false if it exists. Atomic across processes on drivers
   * that support it (fs, memory); elsewhere exact only under the caller's in-process lock.
   */
  async create(key: string, text: string, options: { mode?: number } = {}): Promise<boolean> {
    try {
      if (!this.#exclusive && (await this.#storage.hasItem(key))) return false;
      await this.#storage.setItemRaw(key, text, { ...options, exclusive: true });
      return true;
    } catch (error) {
      if ((error as { code?: string } | null)?.code === "EEXIST") return false;
      throw storageError(`creating ${key}`, error);
    }
  }

  /**
   * Creates `to` holding what `from` holds, only if `to` is absent (false if it exists). For a
   * key never rewritten once created (an event): a linking driver shares the stored value.
   */
  async createFrom(from: string, to: string): Promise<boolean> {
    if (!this.#linking) {
      const text = await this.readText(from);
      if (text === null) throw new WorldError(`Local world: ${from} is missing, so ${to} cannot be created from it.`);
      return this.create(to, text);
    }
    try {
      return this.#linking.link(from, to);
    } catch (error) {
      throw storageError(`creating ${to} from ${from}`, error);
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return await this.#storage.hasItem(key);
    } catch (error) {
      throw storageError(`checking ${key}`, error);
    }
  }

  async remove(key: string): Promise<void> {
    try {
      await this.#storage.removeItem(key);
    } catch (error) {
      throw storageError(`removing ${key}`, error);
    }
  }

  /** Keys under `base` (a key prefix without the trailing `:`), at most `maxDepth` separators deep. */
  async keys(base: string, maxDepth?: number): Promise<string[]> {
    try {
      return await this.#storage.getKeys(base, maxDepth === undefined ? {} : { maxDepth });
    } catch (error) {
      throw storageError(`listing ${base}`, error);
    }
  }
}

function storageError(what: string, error: unknown): WorldError {
  if (error instanceof WorldError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new WorldError(`Local world: ${what} failed: ${reason}`, { cause: error });
}

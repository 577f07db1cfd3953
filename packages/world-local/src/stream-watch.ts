/**
 * Hearing other processes' stream writes on the fs driver: one `fs.watch` per watched directory
 * (a stream's chunk directory, its run's event directory), shared by every reader of it and
 * closed with the last one. A chunk, a close or an event written by any process on this
 * directory lands there as a new file (the fs driver moves finished files into place), so a
 * reader hears it within milliseconds instead of at its next re-read. If the system refuses a
 * watch (inotify limits), readers fall back to re-reading, which costs latency, never a chunk.
 */
import { type FSWatcher, mkdirSync, watch } from "node:fs";
import { join } from "node:path";

interface Watched {
  watcher: FSWatcher | null;
  listeners: Set<() => void>;
}

export class DirectoryWatches {
  readonly #root: string;
  readonly #report: (error: unknown, where: string) => void;
  readonly #watched = new Map<string, Watched>();

  constructor(root: string, report: (error: unknown, where: string) => void) {
    this.#root = root;
    this.#report = report;
  }

  /** Calls `listener` when a file appears or changes in `<root>/<segments…>`; returns the function that stops. */
  add(segments: string[], listener: () => void): () => void {
    const dir = join(this.#root, ...segments);
    let watched = this.#watched.get(dir);
    if (!watched) {
      watched = { watcher: this.#open(dir), listeners: new Set() };
      this.#watched.set(dir, watched);
    }
    const entry = () => listener();
    watched.listeners.add(entry);
    const current = watched;
    return () => {
      current.listeners.delete(entry);
      if (current.listeners.size > 0 || this.#watched.get(dir) !== current) return;
      this.#watched.delete(dir);
      current.watcher?.close();
    };
  }

  /** Stops every watch (on close). */
  clear(): void {
    for (const watched of this.#watched.values()) watched.watcher?.close();
    this.#watched.clear();
  }

  #open(dir: string): FSWatcher | null {
    try {
      // The directory may not exist yet (a stream nobody wrote to): it is where writers will put files.
      mkdirSync(dir, { recursive: true });
      const watcher = watch(dir, { persistent: false }, () => this.#tell(dir));
      watcher.on("error", (error) => {
        this.#report(error, `watching ${dir} for other processes' stream writes (readers re-read instead)`);
        watcher.close();
      });
      return watcher;
    } catch (error) {
      this.#report(error, `watching ${dir} for other processes' stream writes (readers re-read instead)`);
      return null;
    }
  }

  #tell(dir: string): void {
    for (const listener of this.#watched.get(dir)?.listeners ?? []) {
      try {
        listener();
      } catch (error) {
        this.#report(error, "a stream watch listener");
      }
    }
  }
}

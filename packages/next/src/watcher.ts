/**
 * `next dev`: rebuild the workflow bundle and generated files when a source file with (or
 * newly without) a directive changes or appears, then ask the server to load the new code.
 * Next recompiles the changed modules itself; the flow route re-imports the registry, which
 * re-registers the steps and the bundle (the runtime then drops its warm runs and replays them
 * against the new code).
 */
import { type FSWatcher, watch } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, sep } from "node:path";
import { GENERATED_PATH, isSkippedDir, isSourceFile } from "./directives.js";

function skipped(relativePath: string): boolean {
  return relativePath.split(/[\\/]/).some(isSkippedDir) || GENERATED_PATH.test(`/${relativePath}/`);
}

export interface WatchOptions {
  appDir: string;
  /** Other folders to watch recursively (workspace packages). */
  roots: string[];
  /** Called after changes settle; never twice at once. */
  onChange(changed: string[]): Promise<void>;
  debounceMs?: number;
}

export function watchSources(options: WatchOptions): () => void {
  const watchers = new Map<string, FSWatcher>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let closed = false;

  const schedule = (path: string) => {
    pending.add(path);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs ?? 120);
  };
  const flush = async () => {
    timer = null;
    if (running) {
      await running;
      if (pending.size > 0 && !timer) timer = setTimeout(flush, 0);
      return;
    }
    const changed = [...pending];
    pending.clear();
    running = options.onChange(changed).finally(() => {
      running = null;
    });
    await running;
  };

  const watchTree = (dir: string) => {
    if (closed || watchers.has(dir)) return;
    try {
      const watcher = watch(dir, { recursive: true }, (_event, name) => {
        if (!name) return;
        const rel = name.toString();
        if (!skipped(rel) && isSourceFile(rel)) schedule(join(dir, rel));
      });
      watcher.on("error", () => watchers.delete(dir));
      watchers.set(dir, watcher);
    } catch {
      // the folder vanished; a later event on its parent adds it again
    }
  };

  // The app folder itself is watched shallowly (its node_modules and .next hold many folders).
  const watchApp = async () => {
    const top = watch(options.appDir, (_event, name) => {
      if (!name) return;
      const rel = name.toString();
      if (skipped(rel)) return;
      if (isSourceFile(rel)) schedule(join(options.appDir, rel));
      else
        void readdir(join(options.appDir, rel)).then(
          () => watchTree(join(options.appDir, rel)),
          () => {},
        );
    });
    watchers.set(options.appDir, top);
    for (const entry of await readdir(options.appDir, { withFileTypes: true })) {
      if (entry.isDirectory() && !skipped(entry.name)) watchTree(join(options.appDir, entry.name));
    }
  };
  void watchApp();
  for (const root of options.roots)
    if (root !== options.appDir && !root.startsWith(options.appDir + sep)) watchTree(root);

  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}

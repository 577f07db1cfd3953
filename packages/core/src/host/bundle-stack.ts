/**
 * A workflow bundle's stack frames as the user's source has them: Node applies no source map to
 * a vm script, so frames in the bundle are mapped here through its inline map. Frames of
 * Hookline's runtime (sources in the map's `ignoreList`, see @hookline/transform's bundler) and
 * of the host code driving the sandbox are dropped when the user's own frames remain: they are how
 * the workflow was called, not where it failed.
 */
import { SourceMap } from "node:module";

interface Payload {
  sources?: string[];
  ignoreList?: number[];
  x_google_ignoreList?: number[];
}

interface Entry {
  originalSource?: string;
  originalLine?: number;
  originalColumn?: number;
}

/** `at [async] fn (file:line:column)` or `at [async] file:line:column`. */
const FRAME = /^(\s+at (?:async )?(?:.*? \()?)([^() \n]+):(\d+):(\d+)(\)?)$/;
const NATIVE = /^\s+at .*\((?:<anonymous>|native)\)$/;

export class BundleStackMap {
  readonly #map: SourceMap;
  readonly #filename: string;
  readonly #ignored: Set<string>;

  constructor(payload: Payload, filename: string) {
    this.#map = new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]);
    this.#filename = filename;
    const sources = payload.sources ?? [];
    this.#ignored = new Set((payload.ignoreList ?? payload.x_google_ignoreList ?? []).map((index) => sources[index]!));
  }

  /** The stack remapped, without the runtime's and host's frames unless they are all it has. */
  remap(stack: string): string {
    const lines = stack.split("\n").map((line) => this.#line(line));
    if (!lines.some((line) => line.kind === "user")) return lines.map((line) => line.text).join("\n");
    return lines
      .filter((line) => line.kind === "user" || line.kind === "text")
      .map((line) => line.text)
      .join("\n");
  }

  #line(text: string): { text: string; kind: "user" | "plumbing" | "text" } {
    const frame = FRAME.exec(text);
    if (!frame) return { text, kind: NATIVE.test(text) ? "user" : "text" };
    const [, head, file, line, column, close] = frame as unknown as string[];
    // Outside the bundle: the host code that runs the sandbox.
    if (file !== this.#filename) return { text, kind: "plumbing" };
    const entry = this.#map.findEntry(Number(line) - 1, Number(column) - 1) as Entry;
    if (entry.originalSource === undefined) return { text, kind: "user" };
    const mapped = `${head}${entry.originalSource}:${entry.originalLine! + 1}:${entry.originalColumn! + 1}${close}`;
    return { text: mapped, kind: this.#ignored.has(entry.originalSource) ? "plumbing" : "user" };
  }
}

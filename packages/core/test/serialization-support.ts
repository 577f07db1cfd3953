/** Helpers shared by the serialization tests. */
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { build } from "esbuild";
import { expect } from "vitest";
import { SerializationError } from "../src/shared/errors.js";
import { deserialize, serialize } from "../src/shared/serialization/index.js";

/** serialize → JSON text → deserialize, as a value travels through the event log. */
export function roundTrip<T>(value: T): T {
  return deserialize(JSON.parse(JSON.stringify(serialize(value)))) as T;
}

/** The SerializationError serialize throws for `value`. */
export function rejection(value: unknown, root?: string): SerializationError {
  try {
    serialize(value, root);
  } catch (error) {
    expect(SerializationError.is(error)).toBe(true);
    return error as SerializationError;
  }
  throw new Error("expected serialize to throw");
}

const source = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url));

let bundled: Promise<string> | undefined;

/**
 * The serialization module and the error classes bundled as one script, as the workflow
 * bundle carries them into the replay sandbox: running it in a vm context defines
 * `Hookline.serialize`, `Hookline.deserialize`, `Hookline.registerSerializableClass` and
 * `Hookline.errors` there.
 */
export function serializationBundle(): Promise<string> {
  bundled ??= build({
    stdin: {
      contents: `export * from ${JSON.stringify(source("shared/serialization/index.ts"))};\nexport * as errors from ${JSON.stringify(source("shared/errors.ts"))};`,
      resolveDir: fileURLToPath(new URL(".", import.meta.url)),
      loader: "ts",
    },
    bundle: true,
    format: "iife",
    globalName: "Hookline",
    platform: "neutral",
    target: "es2022",
    write: false,
  }).then((result) => result.outputFiles[0]!.text);
  return bundled;
}

/** The globals the replay sandbox gets from the host (host/sandbox.ts). */
export const SANDBOX_GLOBALS = { URL, URLSearchParams, TextEncoder, TextDecoder, Headers, atob, btoa, structuredClone };

/** A fresh vm context like the sandbox's, with the serialization bundle loaded. */
export async function sandboxRealm(globals: Record<string, unknown> = SANDBOX_GLOBALS): Promise<vm.Context> {
  const context = vm.createContext({ ...globals });
  vm.runInContext(await serializationBundle(), context);
  return context;
}

/** Runs `code` in `context` with `input` bound as a global; an array result is copied into a host array. */
export function inRealm<T>(context: vm.Context, code: string, input?: unknown): T {
  context.input = input;
  const result = vm.runInContext(code, context) as unknown;
  return (Array.isArray(result) ? Array.from(result) : result) as T;
}

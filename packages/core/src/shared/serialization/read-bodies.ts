/** serializeAsync's first pass: reads the bodies of every Request and Response in a value. */
import { classRegistry } from "./classes.js";

export async function readBodies(value: unknown): Promise<Map<object, Uint8Array | null> | undefined> {
  const found: (Request | Response)[] = [];
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (classRegistry().byClass.has((v as { constructor?: unknown }).constructor)) return;
    const tag = Object.prototype.toString.call(v);
    if (tag === "[object Request]" || tag === "[object Response]") {
      if ((v as Request).body !== null) found.push(v as Request);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (tag === "[object Map]") {
      for (const [key, entry] of v as Map<unknown, unknown>) {
        visit(key);
        visit(entry);
      }
    }
    else if (tag === "[object Set]") (v as Set<unknown>).forEach(visit);
    else if (tag === "[object Error]") visit((v as Error).cause);
    else if (tag === "[object Object]") for (const key of Object.keys(v)) visit((v as Record<string, unknown>)[key]);
  };
  visit(value);
  if (found.length === 0) return undefined;
  const bodies = new Map<object, Uint8Array | null>();
  for (const message of found) bodies.set(message, new Uint8Array(await message.clone().arrayBuffer()));
  return bodies;
}

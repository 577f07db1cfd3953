/**
 * A tiny Standard Schema (https://standardschema.dev) for hook payloads, so the example needs no
 * validation library; zod, valibot or arktype schemas plug into defineHook({ schema }) the same way.
 */
import type { StandardSchemaV1 } from "hookline";

type Field = "string" | "number" | "boolean" | "string?";

export function objectSchema<T>(fields: Record<keyof T & string, Field>): StandardSchemaV1<unknown, T> {
  return {
    "~standard": {
      version: 1,
      vendor: "hookline-example",
      validate(value) {
        if (typeof value !== "object" || value === null) return { issues: [{ message: "Expected an object" }] };
        const issues = [];
        for (const [key, kind] of Object.entries<Field>(fields)) {
          const field = (value as Record<string, unknown>)[key];
          if (kind === "string?" && field === undefined) continue;
          const type = kind === "string?" ? "string" : kind;
          if (typeof field !== type)
            issues.push({
              message: `Expected ${type}, got ${field === undefined ? "nothing" : typeof field}`,
              path: [key],
            });
        }
        return issues.length > 0 ? { issues } : { value: value as T };
      },
    },
  };
}

/**
 * The transform's benchmark: mean time per call on a generated 2,000-line TypeScript file,
 * with directives (a full parse and rewrite) and without (the fast path, no parse).
 * Prints a Markdown table: | benchmark | result | target |.
 */
import { transform } from "../src/index.js";
import { generateModule } from "./generate.js";

const LINES = 2_000;
const withDirectives = generateModule(LINES, true);
const withoutDirectives = generateModule(LINES, false);
const options = { filename: "/project/app/generated.ts", root: "/project" } as const;

function meanMicros(iterations: number, fn: () => void): number {
  for (let i = 0; i < Math.min(iterations, 20); i++) fn(); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1_000 / iterations;
}

function format(micros: number): string {
  return micros >= 1_000 ? `${(micros / 1_000).toFixed(1)} ms` : `${micros.toFixed(1)} µs`;
}

// Guard: the inputs are what the rows claim.
if (transform(withoutDirectives, { ...options, mode: "workflow" }).changed)
  throw new Error("the no-directive file was transformed");
if (!transform(withDirectives, { ...options, mode: "workflow" }).changed)
  throw new Error("the directive file was not transformed");

const rows: [string, number, string, number][] = [
  [
    "no directives (fast path, no parse), 2,000 lines",
    meanMicros(20_000, () => transform(withoutDirectives, { ...options, mode: "step" })),
    "≤ 50 µs",
    50,
  ],
  [
    "with directives, workflow mode, 2,000 lines",
    meanMicros(30, () => transform(withDirectives, { ...options, mode: "workflow" })),
    "≤ 150 ms",
    150_000,
  ],
  [
    "with directives, step mode, 2,000 lines",
    meanMicros(30, () => transform(withDirectives, { ...options, mode: "step" })),
    "≤ 150 ms",
    150_000,
  ],
  [
    "with directives, client mode, 2,000 lines",
    meanMicros(30, () => transform(withDirectives, { ...options, mode: "client" })),
    "≤ 150 ms",
    150_000,
  ],
  [
    "with directives, step mode + source map, 2,000 lines",
    meanMicros(30, () => transform(withDirectives, { ...options, mode: "step", sourceMaps: true })),
    "≤ 200 ms",
    200_000,
  ],
];

console.log("| benchmark | result | target |");
console.log("|---|---|---|");
for (const [name, micros, target, limit] of rows)
  console.log(`| transform: ${name} | ${format(micros)}${micros > limit ? " ⚠" : ""} | ${target} |`);

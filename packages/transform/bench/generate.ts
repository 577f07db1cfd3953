/**
 * A generated TypeScript module of at least `lines` lines (whole blocks): interfaces, helpers, strings and
 * comments, with or without "use workflow"/"use step" functions.
 */
export function generateModule(lines: number, directives: boolean): string {
  const out: string[] = [
    `import { sleep } from "hookline";`,
    `import { db } from "./db";`,
    `// "use strict" is implied in modules`,
  ];
  let index = 0;
  while (out.length < lines) {
    const n = index++;
    out.push(
      `/** Record ${n}: what the store keeps for it. */`,
      `export interface Record${n} {`,
      `  id: string;`,
      `  total: number;`,
      `  tags: string[];`,
      `}`,
      ``,
      `export async function load${n}(id: string): Promise<Record${n}> {`,
      directives ? `  "use step";` : `  // loads one row`,
      `  const row = await db.find("records_${n}", { id, label: 'record ${n}' });`,
      `  return { id, total: row.total * ${n}, tags: [\`tag-\${id}\`, "use-${n}"] };`,
      `}`,
      ``,
      `export async function flow${n}(ids: string[]) {`,
      directives ? `  "use workflow";` : `  // runs them all`,
      `  const results: Record${n}[] = [];`,
      `  for (const id of ids) results.push(await load${n}(id));`,
      `  await sleep("1s");`,
      `  return results.reduce((sum, r) => sum + r.total, 0);`,
      `}`,
      ``,
    );
  }
  return out.join("\n");
}

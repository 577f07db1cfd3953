/** Figures as the benchmarks print them: percentiles, durations and a Markdown table. */

export type Row = [benchmark: string, result: string, target: string];

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function ms(value: number): string {
  return value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`;
}

export function printTable(title: string, rows: Row[]): void {
  console.log(`\n### ${title}\n`);
  console.log("| benchmark | result | target |");
  console.log("|---|---|---|");
  for (const [name, result, target] of rows) console.log(`| ${name} | ${result} | ${target} |`);
}

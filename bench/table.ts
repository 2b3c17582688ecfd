/** The benches' shared output: a heading line, then one Markdown-style row per figure (what | figure | detail). */
export type BenchRow = [what: string, figure: string, detail: string];

export function printBenchTable(heading: string, rows: readonly BenchRow[]): void {
  console.log(`\n${heading}\n`);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) console.log(`| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`);
}

// bench/results.md from results.json: one table per section, figures as measured.
type Results = { quick: boolean; date: string; machine: string; sections: Record<string, unknown> };

function table(rows: Record<string, unknown>[]): string {
  if (!Array.isArray(rows) || rows.length === 0) return "_no rows_\n";
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined || v === null || (typeof v === "number" && Number.isNaN(v)) ? "—" : String(v));
  return [
    `| ${keys.join(" | ")} |`,
    `| ${keys.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${keys.map((k) => cell(r[k])).join(" | ")} |`),
  ].join("\n") + "\n";
}

export function renderMarkdown(results: Results): string {
  let md = `# Benchmark results\n\nMeasured ${results.date} on ${results.machine} by \`npm run bench\`.\n\n`;
  for (const [name, value] of Object.entries(results.sections)) {
    md += `## ${name}\n\n`;
    if (Array.isArray(value)) md += table(value as Record<string, unknown>[]);
    else if (value && typeof value === "object") md += table([value as Record<string, unknown>]);
    else md += `${String(value)}\n`;
    md += "\n";
  }
  return md;
}

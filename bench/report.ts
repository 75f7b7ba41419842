// bench/results.md from results.json: one table per section, figures as measured. Nested
// objects become dotted columns ("mbPerS.nodeBase64") so no figure hides as [object Object].
type Results = { quick: boolean; date: string; machine: string; sections: Record<string, unknown> };

function flatten(v: unknown, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = Array.isArray(v) ? JSON.stringify(v) : v;
  return out;
}

function table(rows: Record<string, unknown>[]): string {
  if (!Array.isArray(rows) || rows.length === 0) return "_no rows_\n";
  const flat = rows.map((r) => flatten(r));
  const keys = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined || v === null || (typeof v === "number" && Number.isNaN(v)) ? "—" : String(v).replace(/\|/g, "\\|"));
  return [
    `| ${keys.join(" | ")} |`,
    `| ${keys.map(() => "---").join(" | ")} |`,
    ...flat.map((r) => `| ${keys.map((k) => cell(r[k])).join(" | ")} |`),
  ].join("\n") + "\n";
}

/** A single object with many figures reads better as a two-column list than one wide row. */
function keyValue(obj: Record<string, unknown>): string {
  const flat = flatten(obj);
  const cell = (v: unknown) => (v === undefined || v === null ? "—" : String(v).replace(/\|/g, "\\|"));
  return ["| figure | value |", "| --- | --- |", ...Object.entries(flat).map(([k, v]) => `| ${k} | ${cell(v)} |`)].join("\n") + "\n";
}

export function renderMarkdown(results: Results): string {
  let md = `# Benchmark results\n\nMeasured ${results.date} on ${results.machine} by \`npm run bench\`.\n\n`;
  for (const [name, value] of Object.entries(results.sections)) {
    md += `## ${name}\n\n`;
    if (Array.isArray(value)) md += table(value as Record<string, unknown>[]);
    else if (value && typeof value === "object") md += keyValue(value as Record<string, unknown>);
    else md += `${String(value)}\n`;
    md += "\n";
  }
  return md;
}

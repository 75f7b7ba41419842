// Function lengths in host/: every function, method, constructor and arrow function, measured
// from its first line to its last with swc's parser (a devDependency; the TypeScript compiler
// this project uses has no parser API).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSync } from "@swc/core";

const FUNCTION_NODES = new Set([
  "FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression", "ClassMethod", "PrivateMethod",
  "Constructor", "MethodProperty", "GetterProperty", "SetterProperty",
]);

export interface FunctionLength { file: string; line: number; lines: number; name: string }

export function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** Every function in one file with its length in lines. */
export function functionLengths(file: string): FunctionLength[] {
  // swc's spans are byte offsets into one growing source map shared by every parse: a leading
  // ";" gives a node at offset 0 of this file to measure from.
  // A "#!" line becomes a comment of the same length.
  const text = ";" + readFileSync(file, "utf8").replace(/^#!/, "//");
  const bytes = Buffer.from(text, "utf8");
  const ast = parseSync(text, { syntax: "typescript", decorators: true });
  const base = (ast.body[0] as { span: { start: number } }).span.start;
  const lineAt = (offset: number) => {
    let line = 1;
    for (let i = 0; i < offset - base && i < bytes.length; i++) if (bytes[i] === 10) line++;
    return line;
  };
  const out: FunctionLength[] = [];
  const visit = (node: unknown, name: string) => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) { for (const n of node) visit(n, name); return; }
    const n = node as Record<string, unknown> & { type?: string; span?: { start: number; end: number } };
    const key = n.key as { value?: string } | undefined;
    const ident = n.identifier as { value?: string } | undefined;
    const here = ident?.value ?? key?.value ?? name;
    if (n.type && FUNCTION_NODES.has(n.type) && n.span) {
      const line = lineAt(n.span.start);
      out.push({ file, line, lines: lineAt(n.span.end) - line + 1, name: here || "(anonymous)" });
    }
    for (const [k, v] of Object.entries(n)) if (k !== "span") visit(v, here);
  };
  visit(ast.body, "");
  return out;
}

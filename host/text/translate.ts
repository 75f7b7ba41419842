// Outcome sentences in the panel's language. The session and the outbox compose their messages
// from the English catalogue (host/text/outcomes.ts) — "Sent to all 2 recipients.", "Sign-in
// failed; …" followed by the detail. Every catalogue sentence is recognised again by its template
// and told from the other language's catalogue with the same values; what is not a catalogue
// sentence (a server's reply, a host name) is kept as it is, as server words always are.
import { EN, type Catalogue } from "./outcomes.js";
import { DE } from "./outcomes-de.js";

export type Language = "en" | "de";
export const CATALOGUES: Readonly<Record<Language, Catalogue>> = { en: EN, de: DE };
export const LANGUAGES = Object.keys(CATALOGUES) as Language[];

/** One text in every panel language. */
export type Localized = Record<Language, string>;

interface Template { key: string; re: RegExp; names: string[] }

/** Placeholders that are always counts: they match digits only, so "{k} refused" never eats words. */
const COUNTS = new Set(["n", "k", "ok", "sent", "total"]);

function compile(anchored: boolean): Template[] {
  return Object.entries(EN)
    .filter(([, t]) => anchored || t.endsWith("."))
    // Longest first: "Sent to all {n} recipients." is tried before "Sent."
    .sort(([, a], [, b]) => b.length - a.length)
    .map(([key, t]) => {
      const names: string[] = [];
      const body = t.split(/(\{\w+\})/).map((part) => {
        const m = /^\{(\w+)\}$/.exec(part);
        if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(m[1]!);
        return COUNTS.has(m[1]!) ? "(\\d+)" : "(.+?)";
      }).join("");
      // A sentence ends at the end of the text or before a space.
      return { key, names, re: anchored ? new RegExp(`^${body}$`) : new RegExp(`${body}(?=\\s|$)`, "y") };
    });
}

let whole: Template[] | null = null;
let sentences: Template[] | null = null;

function render(t: Template, m: RegExpExecArray, to: Catalogue): string {
  const values: Record<string, string> = {};
  t.names.forEach((name, i) => { values[name] = translate(m[i + 1]!, to); });
  return (to[t.key] ?? EN[t.key]!).replace(/\{(\w+)\}/g, (s, name: string) => values[name] ?? s);
}

/** `text` (English, from the catalogue) with every catalogue sentence told from `to`. */
export function translate(text: string, to: Catalogue): string {
  if (to === EN || text === "") return text;
  whole ??= compile(true);
  sentences ??= compile(false);
  for (const t of whole) {
    const m = t.re.exec(text);
    if (m) return render(t, m, to);
  }
  let out = "";
  let i = 0;
  while (i < text.length) {
    const space = /\s*/y;
    space.lastIndex = i;
    out += space.exec(text)![0];
    i = space.lastIndex;
    let matched = false;
    for (const t of sentences) {
      t.re.lastIndex = i;
      const m = t.re.exec(text);
      if (m) {
        out += render(t, m, to);
        i = t.re.lastIndex;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    // Not a catalogue sentence: keep it up to the next sentence start.
    const end = text.indexOf(". ", i);
    const next = end < 0 ? text.length : end + 2;
    out += text.slice(i, next);
    i = next;
  }
  return out;
}

/** The text in every panel language. */
export function localized(text: string): Localized {
  return { en: text, de: translate(text, DE) };
}

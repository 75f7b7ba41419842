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

interface Template { key: string; re: RegExp; names: string[]; detail: boolean }

/** Placeholders that are always counts: they match digits only, so "{k} refused" never eats words. */
const COUNTS = new Set(["n", "k", "ok", "sent", "total", "seconds", "millis", "priority"]);
/** Placeholders that are one word (a host, "host:port", a domain, an error code): they match no
 *  space, so "The server {where} closed the connection." never reaches back over a sentence. */
const WORDS = new Set(["where", "host", "server", "servername", "domain", "exchange", "errno", "flags"]);

/**
 * A DETAIL sentence as the detail shows it (host/text/sanitize.ts detailSentence()): a capital
 * first letter, a full stop at the end. One that ends in a value ("connection lost: {reason}")
 * takes the rest of the text as that value, with the ending the value brings.
 */
function asDetail(t: string): string {
  const s = t.replace(/^[a-z]/, (c) => c.toUpperCase());
  return /[.!?}]$/.test(s) ? s : `${s}.`;
}

/** Every catalogue text, and every DETAIL text again in the form a detail takes. */
function forms(): { key: string; text: string; detail: boolean }[] {
  return Object.entries(EN).flatMap(([key, text]) => {
    const both = [{ key, text, detail: false }];
    if (key.startsWith("DETAIL:") && (asDetail(text) !== text || text.endsWith("}"))) both.push({ key, text: asDetail(text), detail: true });
    return both;
  });
}

function compile(anchored: boolean): Template[] {
  return forms()
    .filter((f) => anchored || f.text.endsWith(".") || f.detail)
    // Longest first: "Sent to all {n} recipients." is tried before "Sent."
    .sort((a, b) => b.text.length - a.text.length)
    .map(({ key, text, detail }) => {
      const names: string[] = [];
      const parts = text.split(/(\{\w+\})/);
      const body = parts.map((part, i) => {
        const m = /^\{(\w+)\}$/.exec(part);
        if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(m[1]!);
        if (COUNTS.has(m[1]!)) return "(\\d+)";
        if (WORDS.has(m[1]!)) return "(\\S+?)";
        // A detail ending in a value: the value is the rest of the text (it is told in turn).
        return detail && i === parts.length - 2 && parts[i + 1] === "" ? "(.+)" : "(.+?)";
      }).join("");
      // A sentence ends at the end of the text or before a space.
      return { key, names, detail, re: anchored ? new RegExp(`^${body}$`) : new RegExp(`${body}(?=\\s|$)`, "y") };
    });
}

let whole: Template[] | null = null;
let sentences: Template[] | null = null;

function render(t: Template, m: RegExpExecArray, to: Catalogue): string {
  const values: Record<string, string> = {};
  t.names.forEach((name, i) => { values[name] = translate(m[i + 1]!, to); });
  const text = to[t.key] ?? EN[t.key]!;
  return (t.detail ? asDetail(text) : text).replace(/\{(\w+)\}/g, (s, name: string) => values[name] ?? s);
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
        i = t.re.lastIndex; // before render: telling a value in turn moves the shared lastIndex
        out += render(t, m, to);
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

// The one filter for text a server supplied (reply lines, error challenges, server names in
// greetings) before it reaches a terminal, the panel or the log. A hostile server must not be
// able to retitle a terminal (ESC ] 0 ; … BEL), clear it (ESC [ 2 J), move the cursor, or forge
// lines: C0 controls except TAB, DEL and the C1 controls (U+0080–U+009F, which some terminals
// act on like ESC sequences) are removed. Everything else, including non-ASCII letters, stays.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/** `s` without C0 controls (TAB kept), DEL and C1 controls; a line break becomes a space so
 *  that two lines do not run into one word. */
export function cleanServerText(s: string): string {
  return s.replace(/\r\n|[\r\n]/g, " ").replace(CONTROLS, "");
}

/** Whether `s` is already clean (for tests and assertions). */
export function isCleanText(s: string): boolean {
  return !/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/.test(s);
}

/** A JSON-able value with every string in it cleaned (JSON.stringify escapes C0 controls but
 *  leaves C1 controls raw, which some terminals act on). */
export function cleanStrings<T>(v: T): T {
  if (typeof v === "string") return cleanServerText(v) as T;
  if (Array.isArray(v)) return v.map((x) => cleanStrings(x)) as T;
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cleanStrings(x)])) as T;
  }
  return v;
}

/** Text (a server's words, an error message) as the detail that follows an outcome sentence:
 *  clean, on one line, capitalised, with a full stop. */
export function detailSentence(text: string): string {
  const t = cleanServerText(text).replace(/\s+/g, " ").trim();
  if (!t) return "";
  // A sentence starts with a capital, but a name it starts with keeps its case: a domain, an
  // address or a host ("nomx.example has no MX record") is not a word to capitalise.
  const named = /^[^\s]*[.@:][^\s]*[a-z0-9]/i.test(t.split(" ")[0]!);
  const s = named ? t : t[0]!.toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

// What an SMTP transcript line may contain. The core already redacts secrets in its CommandSent
// text; this is the logger's own gate, an allow-list rather than a filter: a command is recorded
// only as a known verb with arguments that carry no secret. Anything else — a SASL continuation
// line (base64 user name or password), an XOAUTH2 initial response, a stray body line — is
// recorded as "[redacted N bytes]" and its text never reaches the file.
import { cleanServerText } from "../text/sanitize.js";

/** Commands whose arguments are safe to record verbatim (RFC 5321 §4.1.1, RFC 3207, RFC 3030). */
const SAFE_VERBS = new Set(["EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "STARTTLS", "QUIT", "RSET", "NOOP"]);
/** SASL mechanisms (RFC 4954 §4): only the name is kept, never an initial response. */
const MECHS = new Set(["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER", "CRAM-MD5", "EXTERNAL"]);
const MAX_LINE = 512;

/** A command line fit for the transcript. */
export function commandForLog(text: string): string {
  const line = text.replace(/\r?\n$/, "");
  // The end-of-data marker (RFC 5321 §4.1.1.4) is the one non-verb line worth recording.
  if (line === ".") return ".";
  if (/[\r\n]/.test(line)) return `[redacted ${Buffer.byteLength(line)} bytes]`;
  const sp = line.indexOf(" ");
  const verb = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
  if (verb === "AUTH") {
    const parts = line.split(" ");
    const mech = (parts[1] ?? "").toUpperCase();
    const name = MECHS.has(mech) ? mech : "?";
    return parts.length > 2 ? `AUTH ${name} [redacted]` : `AUTH ${name}`;
  }
  if (!SAFE_VERBS.has(verb)) return `[redacted ${Buffer.byteLength(line)} bytes]`;
  // BDAT carries only a size and LAST; DATA/STARTTLS/QUIT/RSET nothing: keep exactly the verb form.
  if (verb === "BDAT") return /^BDAT \d+( LAST)?$/i.test(line) ? line : "BDAT [malformed]";
  if (["DATA", "STARTTLS", "QUIT", "RSET"].includes(verb)) return verb;
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
}

/** Server reply text fit for the transcript: one line, bounded, through the one sanitiser for
 *  server-supplied text (no C0 controls but TAB, no DEL, no C1: host/text/sanitize.ts). */
export function replyForLog(text: string): string {
  const clean = cleanServerText(text);
  return clean.length > MAX_LINE ? `${clean.slice(0, MAX_LINE)}…` : clean;
}

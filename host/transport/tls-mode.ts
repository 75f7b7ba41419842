// The one TLS vocabulary of the host. Two questions, two types, one file:
//   TlsMode   — how this connection is secured on the wire (the session, the transport and
//               `--tls`): "starttls" (plain TCP, then STARTTLS after the greeting, RFC 3207),
//               "implicit" (TLS from the first byte, port 465, RFC 8314 §3.3), "none".
//   TlsPolicy — what a preset or an administrator demands: "off" (never STARTTLS),
//               "opportunistic" (STARTTLS when offered), "required" (STARTTLS or fail),
//               "implicit" (TLS from connect).
// A policy is a mode plus requireTls; the conversions both ways live here.

export type TlsMode = "starttls" | "implicit" | "none";
export type TlsPolicy = "off" | "opportunistic" | "required" | "implicit";

/** A policy in the session's terms: the wire mode and whether a missing STARTTLS is a failure. */
export function tlsModeOf(p: TlsPolicy): { tls: TlsMode; requireTls: boolean } {
  switch (p) {
    case "off": return { tls: "none", requireTls: false };
    case "opportunistic": return { tls: "starttls", requireTls: false };
    case "required": return { tls: "starttls", requireTls: true };
    case "implicit": return { tls: "implicit", requireTls: true };
  }
}

/** The policy a `--tls` word names: a mode (with --require-tls) or a policy by its own name;
 *  undefined for a word that is neither. */
export function tlsPolicyOf(word: string, requireTls: boolean): TlsPolicy | undefined {
  switch (word) {
    case "none": case "off": return "off";
    case "starttls": return requireTls ? "required" : "opportunistic";
    case "implicit": case "opportunistic": case "required": return word;
    default: return undefined;
  }
}

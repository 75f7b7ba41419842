// The words for a Failed event the core reports without the server's text: the core says what
// happened in numbers (reason, detail, command, reply code — assembly/smtp/state.ts) and keeps
// no sentences in its 24 KB; these are the technical words the session log and the failure's
// detail show. The panel's one-sentence outcome comes from the catalogue (host/text/outcomes.ts).
import { K } from "./abi.js";

interface Failure { reason: number; code: number; command: string; detail?: string }

/** How the log names each command a reply answers (the event's Cmd* name). */
const VERB: Readonly<Record<string, string>> = {
  Greeting: "the greeting", Ehlo: "EHLO", Helo: "HELO", StartTls: "STARTTLS", Auth: "AUTH",
  Mail: "MAIL FROM", Rcpt: "RCPT TO", Data: "DATA", DataEnd: "the end of the message", Bdat: "BDAT",
  BdatLast: "BDAT LAST", Rset: "RSET", Quit: "QUIT",
};

const BY_REASON: Readonly<Record<number, string>> = {
  [K.ReasonTlsInjection]: "the server sent data right after agreeing to start TLS (possible injection attack)",
  [K.ReasonReplyTooLong]: "the server's reply is longer than the board allows (lines or bytes per reply)",
  [K.ReasonLineTooLong]: "a line of the server's reply is longer than the board allows",
  [K.ReasonBadReply]: "the server's reply is not valid SMTP",
  [K.ReasonTlsNotOffered]: "TLS is required but the server does not offer STARTTLS",
  [K.ReasonPlaintextAuthRefused]: "refusing to send the password without TLS",
  [K.ReasonNoAuthMechanism]: "the server offers no sign-in method the configuration allows",
  [K.ReasonBodyModeUnsupported]: "the server does not support the body encoding asked for",
  [K.ReasonSizeExceeded]: "the message is larger than the server accepts",
  [K.ReasonOutputFull]: "the output buffer is too small for the next command",
};

/** A desync (RFC 5321 §4.2, RFC 2920 §3.1): which reply came, and why it could not be matched. */
function outOfOrder(f: Failure): string {
  const verb = VERB[f.command] ?? "nothing";
  const reply = `reply ${String(f.code).padStart(3, "0")}`;
  const why = f.detail === "ReplyUnasked" ? `${reply} came when no command was waiting for one`
    : f.detail === "ReplyEarly" ? `${reply} came before ${verb} was sent`
    : `${reply} does not fit ${verb}`;
  return `the server answered out of order: ${why}`;
}

/** The words for a failure the core reported by number only; "" when it carried none. */
export function failureText(f: Failure): string {
  if (f.reason === K.ReasonUnexpectedReply) {
    return f.detail === "Challenge" ? "the server sent an AUTH challenge out of turn" : outOfOrder(f);
  }
  if (f.reason === K.ReasonBodyModeUnsupported && f.detail === "SmtpUtf8") return "an address needs SMTPUTF8, which the server does not offer";
  return BY_REASON[f.reason] ?? "";
}

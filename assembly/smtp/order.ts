// Every reply is matched to the command it answers (RFC 5321 §4.2: one reply per command; RFC 2920
// §3.1: with PIPELINING the replies come in the order the commands were sent). A reply that does
// not fit its command, or that answers a command the host has not even written yet, means the
// two sides no longer agree on where they are in the conversation (protocol desync). Nothing
// after it can be trusted — least of all a 250 that would mark the scan delivered — so the session
// ends as a server protocol error (ClassProtocol, retried later), never as a refusal.
import { Cmd } from "./state";

/**
 * Does a reply code fit the command it answers? Any 4yz/5yz may answer any command; the positive
 * ones are fixed per command by RFC 5321 §4.3.2 (220 greeting, 250 EHLO/HELO/MAIL/RSET/end of
 * data, 250/251 RCPT, 354 DATA, 221 QUIT), RFC 3207 §4 (220 STARTTLS), RFC 4954 §4 (235, or 334 to
 * continue AUTH) and RFC 3030 §2 (250 to every BDAT chunk).
 */
export function replyFits(cmd: Cmd, code: i32): bool {
  const d = code / 100;
  if (d == 4 || d == 5) return true;
  switch (cmd) {
    case Cmd.Greeting:
    case Cmd.StartTls: return code == 220;
    case Cmd.Ehlo:
    case Cmd.Helo:
    case Cmd.Mail:
    case Cmd.DataEnd:
    case Cmd.Bdat:
    case Cmd.BdatLast:
    case Cmd.Rset: return code == 250;
    case Cmd.Rcpt: return code == 250 || code == 251;
    case Cmd.Data: return code == 354;
    case Cmd.Auth: return code == 235 || code == 334;
    case Cmd.Quit: return true; // the session ends with any answer to QUIT
  }
  return false;
}

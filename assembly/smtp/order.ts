// Every reply is matched to the command it answers (RFC 5321 §4.2: one reply per command; RFC 2920
// §3.1: with PIPELINING the replies come in the order the commands were sent). A reply that does
// not fit its command, or that answers a command the host has not even written yet, means the
// two sides no longer agree on where they are in the conversation (protocol desync). Nothing
// after it can be trusted — least of all a 250 that would mark the scan delivered — so the session
// ends as a server protocol error (ClassProtocol, retried later), never as a refusal.
import { Cmd } from "./session";
import { scratch } from "./store";
import { eventTextMax } from "../core/buffers";

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

/** How a reply was out of order, for the failure's words. */
export enum Desync { Misfit, Early, Unasked }

function verb(cmd: Cmd): string {
  switch (cmd) {
    case Cmd.Greeting: return "the greeting";
    case Cmd.Ehlo: return "EHLO";
    case Cmd.Helo: return "HELO";
    case Cmd.StartTls: return "STARTTLS";
    case Cmd.Auth: return "AUTH";
    case Cmd.Mail: return "MAIL FROM";
    case Cmd.Rcpt: return "RCPT TO";
    case Cmd.Data: return "DATA";
    case Cmd.DataEnd: return "the end of the message";
    case Cmd.Bdat: return "BDAT";
    case Cmd.BdatLast: return "BDAT LAST";
    case Cmd.Rset: return "RSET";
    case Cmd.Quit: return "QUIT";
  }
  return "nothing";
}

let len: u32 = 0;

function put(s: string): void {
  for (let i = 0; i < s.length && len < eventTextMax; i++) store<u8>(scratch + len++, <u8>s.charCodeAt(i));
}

/** Plain words for a desync, written into the scratch area (string literals are read in place:
 *  nothing is allocated); returns their length. */
export function desyncText(kind: Desync, cmd: Cmd, code: i32): u32 {
  len = 0;
  put("the server answered out of order: ");
  if (kind == Desync.Unasked) {
    put("reply ");
    digits(code);
    put(" came when no command was waiting for one");
  } else if (kind == Desync.Early) {
    put("reply ");
    digits(code);
    put(" came before ");
    put(verb(cmd));
    put(" was sent");
  } else {
    put("reply ");
    digits(code);
    put(" does not fit ");
    put(verb(cmd));
  }
  return len;
}

function digits(code: i32): void {
  if (len + 3 > eventTextMax) return;
  store<u8>(scratch + len, <u8>(0x30 + code / 100 % 10));
  store<u8>(scratch + len + 1, <u8>(0x30 + code / 10 % 10));
  store<u8>(scratch + len + 2, <u8>(0x30 + code % 10));
  len += 3;
}

// The text/plain body: line endings normalised to CRLF (CRLF, bare CR and bare LF each become one
// CRLF, so the writer never emits a bare CR or LF — the 2023 SMTP smuggling defence), then either
// quoted-printable (RFC 2045 §6.7) or 8bit (RFC 6152, only when the server offers 8BITMIME).
import { put, putCRLF, stageNeed } from "./stage";
import { delimByte } from "./delim";

let col: u32 = 0;
let pendCR = false;
let pendWs: u32 = 0;
let eightBit = false;

const HEX = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 65, 66, 67, 68, 69, 70]);

export function textReset(use8bit: bool): void {
  col = 0;
  pendCR = false;
  pendWs = 0;
  eightBit = use8bit;
}

// 8bit output goes through the boundary matcher: raw text could carry the delimiter.
// @ts-ignore: decorator
@inline function out(c: u32): void {
  if (eightBit) delimByte(<u8>c);
  put(c);
}

function lineBreak(): void {
  if (pendWs != 0) {
    // RFC 2045 §6.7 rule 3: whitespace at the end of an encoded line must be encoded
    if (eightBit) { out(pendWs); col++; } else qpToken(pendWs, true);
    pendWs = 0;
  }
  out(13);
  out(10);
  col = 0;
}

/** One QP token: the byte literal or =XX, with a soft line break "=" CRLF before it when the
 *  line would pass 76 chars (RFC 2045 §6.7 rule 5). */
function qpToken(c: u32, encode: bool): void {
  const w: u32 = encode ? 3 : 1;
  if (col + w > 75) {
    put(0x3D);
    putCRLF();
    col = 0;
  }
  if (encode) {
    put(0x3D);
    put(<u32>load<u8>(HEX + (c >> 4)));
    put(<u32>load<u8>(HEX + (c & 15)));
  } else {
    put(c);
  }
  col += w;
}

function plain(c: u32): void {
  if (eightBit) {
    // RFC 5322 §2.1.1: no line over 998 octets; a longer text line gets a forced break
    if (col >= 998) { out(13); out(10); col = 0; }
    out(c);
    col++;
    return;
  }
  // literal: printable ASCII except '=' (rule 2), and SP/TAB not at a line end (rule 3; line
  // ends go through lineBreak); everything else encoded (rule 1)
  qpToken(c, !((c >= 33 && c <= 126 && c != 61) || c == 0x20 || c == 0x09));
}

/** Encode n text bytes; returns how many were taken (fewer when the staging buffer is full). */
export function textWrite(p: usize, n: u32): u32 {
  let i: u32 = 0;
  while (i < n) {
    // one input byte emits at most: soft break 3 + pending ws 3+3 + token 3 + CRLF 2
    if (!stageNeed(16)) return i;
    const c = <u32>load<u8>(p + i);
    i++;
    if (pendCR) {
      pendCR = false;
      lineBreak();
      if (c == 10) continue; // CRLF: one break
    }
    if (c == 13) { pendCR = true; continue; }
    if (c == 10) { lineBreak(); continue; }
    if (pendWs != 0) {
      plain(pendWs);
      pendWs = 0;
    }
    if (c == 0x20 || c == 0x09) { pendWs = c; continue; }
    plain(c);
  }
  return i;
}

/** End of text: a trailing CR is a line break; trailing whitespace is encoded. Needs 16 bytes. */
export function textFinish(): void {
  if (pendCR) {
    pendCR = false;
    lineBreak();
  }
  if (pendWs != 0) {
    if (eightBit) out(pendWs); else qpToken(pendWs, true);
    pendWs = 0;
  }
}

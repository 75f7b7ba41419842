// Inputs the mbedTLS glue wants in its own shape: IP literals as bytes, PEM with its NUL.
import { isIP } from "node:net";

/** An IP literal as 4 or 16 network-order bytes, or null for a host name. */
export function ipBytes(name: string): Uint8Array | null {
  const host = name.replace(/^\[(.*)\]$/, "$1");
  const kind = isIP(host);
  if (kind === 4) return Uint8Array.from(host.split(".").map(Number));
  if (kind !== 6) return null;
  // Expand "::", and a trailing dotted IPv4 part, into eight 16-bit groups.
  let text = host.replace(/%.*$/, "");
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1]!.split(".").map(Number);
    text = text.slice(0, -v4[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** PEM must reach mbedtls_x509_crt_parse with its NUL terminator counted; DER as is. */
export function pemOrDer(data: string | Buffer): Uint8Array {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  if (buf.includes("-----BEGIN")) return Buffer.concat([buf, Buffer.from([0])]);
  return buf;
}

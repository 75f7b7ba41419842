// Property test on text bodies: random mixes of CR, LF, CRLF, "." at line starts, "\r\n.\r\n",
// bare LF "." LF, whitespace at line ends, '=' and non-ASCII. The output never holds a bare CR or
// LF, quoted-printable lines stay ≤ 76, and mailparser gives back the text with every line break
// (CRLF, CR or LF) as "\n".
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { simpleParser } from "mailparser";
import { freshWriter, collector } from "./load.js";
import { baseSpec } from "./spec.js";

const atoms = ["\r", "\n", "\r\n", ".", "\r\n.\r\n", "\n.\n", ".\r\n", " ", "\t", "=", "a", "Zeile", "é", "日本", "€", "x".repeat(90), "y".repeat(400), "From "];

function randomText(): string {
  let s = "";
  const n = randomInt(0, 80);
  for (let i = 0; i < n; i++) s += atoms[randomInt(0, atoms.length)];
  return s;
}

const normal = (s: string) => s.replace(/\r\n|\r|\n/g, "\n");

for (const eightBit of [false, true]) {
  test(`${eightBit ? "8bit" : "quoted-printable"} text: no bare CR/LF, text round-trips (300 random bodies)`, async () => {
    const w = await freshWriter({ outCap: 1024, inCap: 128 });
    for (let k = 0; k < 300; k++) {
      const text = randomText();
      const spec = baseSpec({ text, attachments: [] });
      const c = collector();
      await w.write(spec, { eightBit }, c.write);
      const raw = c.bytes();
      const s = raw.toString("latin1");
      if (eightBit) {
        const long = normal(text).split("\n").some((l) => Buffer.byteLength(l) > 998);
        assert.match(s, long ? /Transfer-Encoding: quoted-printable/ : /Transfer-Encoding: 8bit/);
      }
      assert.doesNotMatch(s, /\r(?!\n)|(?<!\r)\n/, JSON.stringify(text));
      assert.equal(await w.size(spec, { eightBit }), raw.length);
      const body = s.slice(s.indexOf("\r\n\r\n", s.indexOf("text/plain")) + 4);
      if (!eightBit) for (const line of body.split("\r\n")) assert.ok(line.length <= 76, line);
      const m = await simpleParser(raw);
      // mailparser ends a non-empty text with the line break the delimiter implies; compare lines
      assert.equal((m.text ?? "").replace(/\n$/, ""), normal(text).replace(/\n$/, ""), JSON.stringify(text));
    }
  });
}

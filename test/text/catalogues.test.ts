// The panel speaks English and German: every English outcome sentence has a German one with the
// same {values}, every panel line exists in both languages, and a composed message ("sentence +
// detail + sentence") is told in German sentence by sentence, the server's words kept as they are.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EN, say } from "../../host/text/outcomes.js";
import { DE } from "../../host/text/outcomes-de.js";
import { translate, localized } from "../../host/text/translate.js";
import { PANEL_TEXTS } from "../../host/panel/texts.js";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("every English outcome sentence has a German one with the same values", () => {
  const missing = Object.keys(EN).filter((k) => !(k in DE));
  assert.deepEqual(missing, [], "outcome keys without German");
  assert.deepEqual(Object.keys(DE).filter((k) => !(k in EN)), [], "German keys English does not have");
  for (const [k, en] of Object.entries(EN)) assert.deepEqual(placeholders(DE[k]!), placeholders(en), k);
});

test("English sentences that are the same are the same in German (a translation cannot tell them apart)", () => {
  const byText = new Map<string, string[]>();
  for (const [k, en] of Object.entries(EN)) byText.set(en, [...(byText.get(en) ?? []), k]);
  for (const keys of byText.values()) assert.equal(new Set(keys.map((k) => DE[k])).size, 1, keys.join(", "));
});

test("every panel line exists in English and German with the same values", () => {
  const { en, de } = PANEL_TEXTS;
  assert.deepEqual(Object.keys(en).filter((k) => !(k in de)), [], "panel keys without German");
  assert.deepEqual(Object.keys(de).filter((k) => !(k in en)), [], "German panel keys English does not have");
  for (const [k, text] of Object.entries(en)) assert.deepEqual(placeholders(de[k]!), placeholders(text), k);
});

test("every catalogue sentence, filled with values, is told in German from the German catalogue", () => {
  const values = { n: 3, ok: 2, k: 1, rest: "1 recipient will be retried", code: "451 4.3.0", reply: "554 5.6.0", text: "Sent.", sent: 1, total: 3,
    window: "72 h", last: "451 4.3.0 busy", names: "scan.pdf", why: "the outbox limit was reached", at: "14:05", job: "0mx1-ab",
    // the DETAIL sentences' values: one-word names, numbers, and a library's own words
    where: "mx.example:587", host: "mx.example", server: "mx.example", servername: "mx.example", domain: "example.com",
    exchange: "mx1.example.com", errno: "ENOTFOUND", flags: "8", priority: 10, seconds: 30, millis: 500, wait: "30 s", phase: "x",
    reason: "wrong version number", alert: "handshake_failure", mbedtls: "(mbedTLS -0x7200: SSL - bad record)", engine: "gnutls", path: "/opt/mbedtls.wasm" };
  for (const key of Object.keys(EN)) {
    if (key.startsWith("PARTIAL:")) continue; // fragments: told as part of PARTIAL below
    const german = translate(say(key, values), DE);
    const expected = DE[key]!.replace(/\{(\w+)\}/g, (_m, name: string) => name === "rest" ? "1 Empfänger wird später erneut versucht" : name === "text" ? "Gesendet." : String(values[name as keyof typeof values]));
    assert.equal(german, expected, key);
  }
});

test("a composed message: catalogue sentences in German, the server's words and the detail kept", () => {
  const held = `${say("AUTH_FAILED")} The server said "535 5.7.8 Authentication credentials invalid". ${say("HELD_IN_OUTBOX")}`;
  assert.equal(localized(held).de,
    "Die Anmeldung ist fehlgeschlagen; prüfen Sie Benutzername und Passwort. The server said \"535 5.7.8 Authentication credentials invalid\". Der Scan wird im Postausgang zurückgehalten, bis jemand die Ursache behebt und ihn erneut sendet.");
  assert.equal(localized(held).en, held);
  assert.equal(translate(say("PARTS", { text: say("OK_ALL", { n: 2 }), n: 2 }), DE), "An alle 2 Empfänger gesendet. Der Scan ging in 2 Nachrichten hinaus.");
  assert.equal(translate("Partly sent", DE), "Teilweise gesendet");
  // A server text that merely contains catalogue words is not rewritten.
  assert.equal(translate("550 5.1.1 3 refused by policy", DE), "550 5.1.1 3 refused by policy");
});

// The detail after the outcome sentence is told in the panel's language too when it is our own
// words: a refused connection, a server that never greets, a certificate nobody vouches for
// (node-tls and mbedtls-wasm, whose sentences lack a full stop until the detail adds one) and DNS
// misses, each against a real peer on loopback (the project's DNS server for the MX lookups).
// English stays byte for byte what the transport wrote; German is the German catalogue's. The
// session alone stores nothing, so its sentences are the ":now" ones (no promise to retry).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import * as tls from "node:tls";
import { sendMessage } from "../../host/session/driver.js";
import { defaultBoard, type Board } from "../../host/config/board.js";
import { simulatedScan } from "../../host/scan/index.js";
import type { ServerOptions, SessionResult } from "../../host/session/types.js";
import { selfSignedServerCert } from "../../host/sim/selfsigned.js";
import { mbedtlsAvailable } from "../../host/transport/mbedtls-module.js";
import { localized } from "../../host/text/translate.js";
import { EN } from "../../host/text/outcomes.js";
import { DE } from "../../host/text/outcomes-de.js";
import { startDnsServer, type DnsServer } from "../fixtures/dns-server.js";
import { listen, track, closer } from "../transport/helpers.js";

const T = 1000; // every board timeout (the schema's minimum)
const board: Board = (() => {
  const b = defaultBoard();
  return { ...b, timeouts: { connect: T, greeting: T, command: T, mail: T, rcpt: T, dataInit: T, dataBlock: T, dataTerm: T } };
})();

function send(server: ServerOptions, b: Board = board): Promise<SessionResult> {
  return sendMessage({
    server, board: b, auth: { mechanism: "none" },
    message: { from: "scanner@contoso.test", to: ["a@contoso.test"], subject: "Scan", text: "Scanned.\r\n", attachments: [simulatedScan({ pages: 1, bytes: 4000, seed: 1 })] },
  });
}

/** A peer on loopback that accepts and then `serve`s each socket; closes with every socket. */
async function peer(serve: (s: net.Socket) => void, server: net.Server = net.createServer()): Promise<{ port: number; close(): Promise<void> }> {
  server.on("connection", serve);
  const sockets = track(server);
  const port = await listen(server);
  return { port, close: closer(server, sockets) };
}

/** The composed message in both languages, with the German free of the English detail. */
function told(r: SessionResult, english: string, german: string): void {
  assert.equal(r.message, english, "English unchanged");
  const { en, de } = localized(r.message);
  assert.equal(en, english);
  assert.equal(de, german);
}

let dns: DnsServer;
before(async () => {
  dns = await startDnsServer({
    mx: { "nomail.example": [{ preference: 10, exchange: "mx1.nomail.example" }] }, // mx1 has no address
    a: {},
  });
});
after(async () => dns?.close());

test("a refused connection: the detail is German under DE, unchanged under EN", async () => {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise<void>((r) => probe.close(() => r())); // nothing listens there now
  const r = await send({ host: "127.0.0.1", port, tls: "none" });
  assert.equal(r.id, "CONNECT_REFUSED");
  told(r,
    `${EN["CONNECT_REFUSED:now"]} The server 127.0.0.1:${port} refused the connection. Check the port number and that the mail server is running.`,
    `${DE["CONNECT_REFUSED:now"]} Der Server 127.0.0.1:${port} hat die Verbindung abgelehnt. Prüfen Sie die Portnummer und ob der Mailserver läuft.`);
});

test("a read timeout (no greeting): the phase is told too", async () => {
  const silent = await peer(() => {}); // accepts, never greets
  try {
    const r = await send({ host: "127.0.0.1", port: silent.port, tls: "none" });
    assert.equal(r.id, "READ_TIMEOUT");
    told(r,
      `${EN["READ_TIMEOUT:now"]} The server 127.0.0.1:${silent.port} did not send the server's greeting in full within 1 s. The connection was closed.`,
      `${DE["READ_TIMEOUT:now"]} Vom Server 127.0.0.1:${silent.port} kam die Begrüßung nicht innerhalb von 1 s vollständig an. Die Verbindung wurde getrennt.`);
  } finally {
    await silent.close();
  }
});

for (const engine of ["node-tls", "mbedtls-wasm"] as const) {
  const skip = engine === "mbedtls-wasm" && !mbedtlsAvailable() ? "build/mbedtls.wasm is not built (npm run build:tls)" : false;
  test(`a self-signed server certificate over ${engine}: the detail is German under DE`, { skip }, async () => {
    const { cert, key } = selfSignedServerCert({ names: ["localhost"] });
    const tlsPeer = await peer((s) => s.on("error", () => {}), tls.createServer({ cert, key }, (s) => s.write("220 localhost ESMTP\r\n")));
    try {
      const r = await send({ host: "127.0.0.1", port: tlsPeer.port, tls: "implicit", engine, tlsOptions: { servername: "localhost" } });
      assert.equal(r.id, "TLS_CERT_UNTRUSTED");
      if (engine === "node-tls") {
        told(r,
          `${EN["TLS_CERT_UNTRUSTED"]} The certificate of the mail server localhost is not from a trusted authority (it is self-signed). Install the server's CA certificate on the device.`,
          `${DE["TLS_CERT_UNTRUSTED"]} Das Zertifikat des Mailservers localhost stammt nicht von einer vertrauenswürdigen Stelle (es ist selbstsigniert). Installieren Sie das CA-Zertifikat des Servers auf dem Gerät.`);
      } else {
        // The engine's words have no capital and no full stop; the detail gives them both.
        told(r,
          `${EN["TLS_CERT_UNTRUSTED"]} The server certificate for localhost is not signed by a trusted CA: add the issuing CA to the board's CA bundle.`,
          `${DE["TLS_CERT_UNTRUSTED"]} Das Serverzertifikat für localhost ist nicht von einer vertrauenswürdigen CA signiert: Fügen Sie die ausstellende CA dem CA-Bundle des Boards hinzu.`);
      }
    } finally {
      await tlsPeer.close();
    }
  });
}

test("DNS misses through the loopback DNS server: no MX record, and an MX host without an address", async () => {
  const noMx = await send({ host: "nomx.example", port: 25, tls: "none", mx: { domain: "nomx.example", dnsServers: [dns.address] } });
  assert.equal(noMx.id, "DNS_FAILURE");
  told(noMx,
    `${EN["DNS_FAILURE"]} nomx.example has no MX record, so there is no mail server to send to. Check the domain (--domain or the From address), or give the server with --server.`,
    `${DE["DNS_FAILURE"]} nomx.example hat keinen MX-Eintrag, es gibt also keinen Mailserver, an den gesendet werden kann. Prüfen Sie die Domain (--domain oder die Absenderadresse) oder geben Sie den Server mit --server an.`);
  const noHost = await send({ host: "nomail.example", port: 25, tls: "none", mx: { domain: "nomail.example", dnsServers: [dns.address] } });
  assert.equal(noHost.id, "DNS_FAILURE");
  told(noHost,
    `${EN["DNS_FAILURE"]} The mail server mx1.nomail.example does not exist in DNS (ENOTFOUND).`,
    `${DE["DNS_FAILURE"]} Den Mailserver mx1.nomail.example gibt es im DNS nicht (ENOTFOUND).`);
});

test("every DETAIL sentence that ends in a value ends in the same value in German (the value brings the ending)", () => {
  for (const [key, en] of Object.entries(EN)) {
    if (!key.startsWith("DETAIL:")) continue;
    const last = (s: string) => /\{(\w+)\}$/.exec(s)?.[1] ?? null;
    assert.equal(last(DE[key]!), last(en), key);
  }
});

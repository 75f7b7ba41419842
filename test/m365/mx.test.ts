// MX lookup for m365-direct-send and m365-relay against a DNS server on loopback started here
// (the machine's resolver is never asked): the domain's MX hosts lowest preference first, the
// next one when a connection fails, *.mx.microsoft names with TLS verified against them, a
// domain without MX refused as a setting (exit 2), a failing DNS server transient (job kept),
// and doctor showing what it resolved. Real CLI processes, both TLS engines.
import { describe, it, before, after } from "node:test";
import { whenRunnable } from "../fixtures/skippable.js";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startDnsServer, type DnsServer } from "../fixtures/dns-server.js";
import { cli } from "../cli/run.js";
import { cliSend, ENGINES, openLab, type Lab, type LabServer } from "./lab.js";

const DANE = "contoso-com.b-v1.mx.microsoft";      // a DNSSEC/DANE tenant endpoint
const CLASSIC = "contoso-com.mail.protection.outlook.com";
const DEAD = "contoso-com.a-v1.mx.microsoft";      // resolves, but nothing listens there

let lab: Lab;
let dns: DnsServer;
let primary: LabServer;   // DANE name on 127.0.0.3
let backup: LabServer;    // classic name on 127.0.0.1, same port
let caFile = "";

before(async () => {
  lab = await openLab();
  backup = await lab.fixture({ mode: "direct-send", bindHost: "127.0.0.1", certNames: [CLASSIC] });
  primary = await lab.fixture({ mode: "direct-send", bindHost: "127.0.0.3", port: backup.port, certNames: [DANE] });
  caFile = join(lab.dir, "both-cas.pem");
  await writeFile(caFile, primary.ca.cert + backup.ca.cert);
  dns = await startDnsServer({
    mx: {
      "contoso.com": [{ preference: 20, exchange: CLASSIC }, { preference: 5, exchange: DEAD }, { preference: 10, exchange: DANE }],
      "fabrikam.com": [{ preference: 10, exchange: "mx1.fabrikam-filter.example" }],
    },
    a: { [DANE]: ["127.0.0.3"], [CLASSIC]: ["127.0.0.1"], [DEAD]: ["127.0.0.2"], "mx1.fabrikam-filter.example": ["127.0.0.4"] },
    servfail: ["broken.example"],
  });
});
after(async () => {
  await dns?.close();
  await lab?.close();
});

const DIRECT = ["--preset", "m365-direct-send", "--from", "scanner@contoso.com", "--to", "ap@contoso.com"];

for (const { engine, skip } of ENGINES) describe(`MX lookup over ${engine}`, () => {
  const { it, before, after } = whenRunnable(skip);
  const send = async (args: string[], dnsServer = dns.address) =>
    cliSend({ ...primary, caFile } as LabServer, await lab.board(engine), lab.outbox(), [...args, "--dns-server", dnsServer], {}, null);

  it("lowest preference first, the next on connection failure: MX 5 refuses, MX 10 (*.mx.microsoft) takes the scan", async () => {
    const before = [primary.received.length, backup.received.length];
    const mark = dns.queries.length;
    const { run, json } = await send(DIRECT);
    assert.deepEqual([run.code, json.status], [0, "sent"], `${run.stdout}\n${run.stderr}`);
    assert.deepEqual([primary.received.length, backup.received.length], [before[0]! + 1, before[1]!], "MX 10 got it, not MX 20");
    assert.match(String((json.tls as { protocol?: string } | undefined)?.protocol), /^TLSv1\.[23]$/, "TLS verified against the MX host's name");
    const asked = dns.queries.slice(mark);
    assert.ok(asked.includes("MX contoso.com") && asked.includes(`A ${DEAD}`) && asked.includes(`A ${DANE}`), asked.join(", "));
  });

  it("m365-relay by static IP over MX as well", async () => {
    const s = await lab.fixture({ mode: "relay", bindHost: "127.0.0.5", certNames: ["relay.contoso-com.mx.microsoft"], relayIps: ["127.0.0.1"] });
    const d = await startDnsServer({ mx: { "contoso.com": [{ preference: 0, exchange: "relay.contoso-com.mx.microsoft" }] }, a: { "relay.contoso-com.mx.microsoft": ["127.0.0.5"] } });
    try {
      const { run, json } = await cliSend(s, await lab.board(engine), lab.outbox(),
        ["--preset", "m365-relay", "--from", "scanner@contoso.com", "--to", "partner@fabrikam.com", "--dns-server", d.address], {}, null);
      assert.deepEqual([run.code, json.status], [0, "sent"], run.stderr);
      assert.equal(s.received[0]!.tlsProtocol !== null, true);
    } finally {
      await d.close();
    }
  });
});

describe("MX lookup failures and doctor", () => {
  it("a domain without MX: exit 2, the domain named; the scan is held for the fix, never retried by itself", async () => {
    const { run, json, jobs } = await cliSend({ ...primary, caFile } as LabServer, await lab.board("node-tls"), lab.outbox(),
      ["--preset", "m365-direct-send", "--from", "scanner@nomx.example", "--to", "ap@nomx.example", "--dns-server", dns.address], {}, null);
    assert.equal(run.code, 2, run.stderr);
    assert.match(String(json.message), /nomx\.example has no MX record/);
    assert.deepEqual(jobs.map((j) => j.state), ["held"]);
    assert.deepEqual(json.job, { id: jobs[0]!.id, state: "held" });
  });

  it("a failing DNS server: transient, the scan stays queued", async () => {
    const { run, json, jobs } = await cliSend({ ...primary, caFile } as LabServer, await lab.board("node-tls"), lab.outbox(),
      ["--preset", "m365-direct-send", "--from", "scanner@broken.example", "--to", "ap@broken.example", "--dns-server", dns.address], {}, null);
    assert.equal(run.code, 4, run.stderr);
    assert.equal(json.id, "DNS_FAILURE");
    assert.equal(jobs.length, 1);
  });

  it("doctor shows the MX hosts it resolved, connects to the one that answers, and warns when none is Microsoft's", async () => {
    primary.received.length = 0;
    const r = await cli(["doctor", "--preset", "m365-direct-send", "--from", "scanner@contoso.com", "--to", "ap@contoso.com", "--port", String(primary.port),
      "--ca", caFile, "--dns-server", dns.address, "--timeout", "5000", "--outbox", lab.outbox()]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /✓ Preset m365-direct-send: MX of contoso\.com:\d+, TLS opportunistic/);
    assert.match(r.stdout, new RegExp(`✓ MX of contoso\\.com: 5 ${DEAD}, 10 ${DANE.replace(/\./g, "\\.")}, 20 ${CLASSIC.replace(/\./g, "\\.")} \\(tried in this order\\)`));
    assert.match(r.stdout, new RegExp(`✓ Connected to ${DANE.replace(/\./g, "\\.")}:\\d+: 220 `));
    assert.equal(primary.received.length, 0, "doctor sends nothing");
    const other = await cli(["doctor", "--preset", "m365-direct-send", "--from", "scanner@fabrikam.com", "--dns-server", dns.address, "--no-probe"]);
    assert.doesNotMatch(other.stdout, /✓ MX of fabrikam\.com: /, "--no-probe makes no lookup");
    const filtered = await cli(["doctor", "--preset", "m365-direct-send", "--from", "scanner@fabrikam.com", "--to", "a@fabrikam.com", "--dns-server", dns.address, "--timeout", "2000", "--port", String(primary.port)]);
    assert.match(filtered.stdout, /⚠ No MX host of fabrikam\.com is a Microsoft 365 endpoint/);
  });
});

// Plain TCP transport against real loopback peers: connect failures, timeouts, back-pressure.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { spawn, spawnSync } from "node:child_process";
import { openTransport } from "../../host/transport/connect.js";
import { TcpTransport } from "../../host/transport/tcp.js";
import { nodeTlsEngine } from "../../host/transport/tls-node.js";
import { loadTlsEngine } from "../../host/transport/connect.js";
import { TransportError } from "../../host/transport/types.js";
import { closer, listen, sleep, track, transportReadUntil } from "./helpers.js";

async function rejection(p: Promise<unknown>): Promise<TransportError> {
  const e = await p.then(
    () => new Error("expected a rejection"),
    (x: unknown) => x,
  );
  assert.ok(e instanceof TransportError, String(e));
  return e;
}

test("connection refused → CONNECT_REFUSED (transient)", async () => {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((r) => server.close(() => r()));
  const e = await rejection(openTransport({ host: "127.0.0.1", port, tls: "none" }));
  assert.equal(e.code, "CONNECT_REFUSED");
  assert.equal(e.transient, true);
  assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port} refused`));
});

test("DNS failure (.invalid never resolves, RFC 6761 §6.4) → DNS_FAILURE", async () => {
  const e = await rejection(openTransport({ host: "mfp-mail-test.invalid", port: 25, tls: "starttls", timeouts: { connect: 10_000 } }));
  assert.equal(e.code, "DNS_FAILURE");
  assert.match(e.message, /mfp-mail-test\.invalid/);
});

const python = spawnSync("python3", ["-c", "print(1)"]).status === 0;

test("connect timeout against a listener whose accept queue is full → CONNECT_TIMEOUT", { skip: python ? false : "python3 not installed" }, async () => {
  // A listening socket with backlog 0 that never accepts; two connections fill its queue, after
  // which Linux drops further SYNs, so our connect stays pending until the timeout.
  const script = [
    "import socket,sys,time",
    "s=socket.socket();s.bind(('127.0.0.1',0));s.listen(0)",
    "p=s.getsockname()[1]",
    "f=[]",
    "for i in range(3):",
    "  c=socket.socket();c.setblocking(False)",
    "  try: c.connect(('127.0.0.1',p))",
    "  except BlockingIOError: pass",
    "  f.append(c)",
    "time.sleep(0.2);print(p,flush=True);time.sleep(30)",
  ].join("\n");
  const child = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("python listener did not start")), 5000);
      child.stdout.once("data", (d: Buffer) => {
        clearTimeout(timer);
        resolve(Number(d.toString().trim()));
      });
    });
    const t0 = Date.now();
    const e = await rejection(openTransport({ host: "127.0.0.1", port, tls: "none", timeouts: { connect: 400 } }));
    const took = Date.now() - t0;
    assert.equal(e.code, "CONNECT_TIMEOUT");
    assert.ok(took >= 350 && took < 3000, `took ${took} ms`);
  } finally {
    child.kill("SIGKILL");
  }
});

test("server that never greets → READ_TIMEOUT naming the phase, connection closed", async () => {
  const server = net.createServer(() => {});
  const sockets = track(server);
  const port = await listen(server);
  let closedByPeer = false;
  server.on("connection", (s) => s.on("end", () => (closedByPeer = true)).on("close", () => (closedByPeer = true)));
  try {
    const t = await openTransport({ host: "127.0.0.1", port, tls: "starttls", timeouts: { greeting: 250 } });
    const t0 = Date.now();
    const e = await rejection(t.read());
    assert.equal(e.code, "READ_TIMEOUT");
    assert.match(e.message, /greeting/);
    assert.ok(Date.now() - t0 >= 200);
    await sleep(50);
    assert.ok(closedByPeer, "the timed-out connection is closed");
    await assert.rejects(t.write(Buffer.from("QUIT\r\n")), TransportError);
  } finally {
    await closer(server, sockets)();
  }
});

test("per-phase timeouts: setPhase selects the RFC 5321 phase's value", async () => {
  const server = net.createServer((s) => s.write("220 hi\r\n"));
  const sockets = track(server);
  const port = await listen(server);
  try {
    const t = await openTransport({ host: "127.0.0.1", port, tls: "none", timeouts: { greeting: 2000, dataTerm: 150, rcpt: 5000 } });
    assert.equal(await transportReadUntil(t, "\r\n"), "220 hi\r\n");
    t.setPhase("dataTerm");
    const t0 = Date.now();
    const e = await rejection(t.read());
    const took = Date.now() - t0;
    assert.equal(e.code, "READ_TIMEOUT");
    assert.match(e.message, /final "\."/);
    assert.ok(took >= 120 && took < 1500, `took ${took}`);
  } finally {
    await closer(server, sockets)();
  }
});

test("peer closes → read() resolves null; peer resets → CONNECTION_RESET", async () => {
  const server = net.createServer((s) => {
    s.end("221 bye\r\n");
  });
  const sockets = track(server);
  const port = await listen(server);
  try {
    const t = await openTransport({ host: "127.0.0.1", port, tls: "none" });
    assert.equal(await transportReadUntil(t, "\r\n"), "221 bye\r\n");
    assert.equal(await t.read(), null);
    t.close();
  } finally {
    await closer(server, sockets)();
  }
  const rst = net.createServer((s) => {
    s.write("220 hi\r\n");
    setTimeout(() => s.resetAndDestroy(), 100);
  });
  const s2 = track(rst);
  const port2 = await listen(rst);
  try {
    const t = await openTransport({ host: "127.0.0.1", port: port2, tls: "none" });
    assert.equal(await transportReadUntil(t, "\r\n"), "220 hi\r\n");
    const e = await rejection(t.read());
    assert.equal(e.code, "CONNECTION_RESET");
    t.close();
  } finally {
    await closer(rst, s2)();
  }
});

test("write back-pressure: writes stall when the server stops reading, then WRITE_TIMEOUT", async () => {
  const server = net.createServer({ pauseOnConnect: true }, () => {});
  const sockets = track(server);
  const port = await listen(server);
  try {
    const t = await openTransport({ host: "127.0.0.1", port, tls: "none", timeouts: { dataBlock: 300 } });
    t.setPhase("dataBlock");
    const block = Buffer.alloc(64 * 1024, 0x41);
    let sent = 0;
    let err: unknown = null;
    // Bounded: 1 GiB would never fit in loopback socket buffers.
    for (let i = 0; i < 16384 && err === null; i++) {
      try {
        await t.write(block);
        sent += block.length;
      } catch (e) {
        err = e;
      }
    }
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.code, "WRITE_TIMEOUT");
    assert.match(err.message, /stopped accepting data/);
    // What was accepted is what the kernel buffers hold — a few MiB, not the gigabyte offered.
    assert.ok(sent > 0 && sent < 64 * 1024 * 1024, `sent ${sent}`);
  } finally {
    await closer(server, sockets)();
  }
});

test("read back-pressure: an idle consumer stalls the sender instead of growing host memory", async () => {
  const total = 64 * 1024 * 1024;
  let serverSock: net.Socket | null = null;
  const server = net.createServer((s) => {
    serverSock = s;
    const chunk = Buffer.alloc(256 * 1024, 0x42);
    let queued = 0;
    const pump = (): void => {
      while (queued < total) {
        queued += chunk.length;
        if (!s.write(chunk)) {
          s.once("drain", pump);
          return;
        }
      }
      s.end();
    };
    pump();
  });
  const sockets = track(server);
  const port = await listen(server);
  try {
    const t = await openTransport({ host: "127.0.0.1", port, tls: "none", timeouts: { greeting: 5000 } });
    const first = await t.read();
    assert.ok(first && first.length > 0);
    await sleep(300); // consumer is "behind"
    const sock = serverSock as net.Socket | null;
    assert.ok(sock);
    // The server could not flush everything, and makes no progress while the client idles:
    // TCP flow control holds it back because the host stopped reading.
    const flushed = sock.bytesWritten - sock.writableLength;
    await sleep(200);
    const flushedLater = sock.bytesWritten - sock.writableLength;
    assert.ok(flushed < total / 2, `server flushed ${flushed} of ${total} while the client was idle`);
    assert.equal(flushedLater, flushed, "the sender is stalled while nobody reads");
    let got = first.length;
    let maxChunk = first.length;
    for (let i = 0; i < 100_000; i++) {
      const c = await t.read();
      if (c === null) break;
      got += c.length;
      maxChunk = Math.max(maxChunk, c.length);
    }
    assert.equal(got, total);
    assert.ok(maxChunk <= 1024 * 1024, `largest chunk ${maxChunk}`);
    assert.ok(t.bytesRead >= total);
    t.close();
  } finally {
    await closer(server, sockets)();
  }
});

test("a 1 MiB reply line arrives as a stream of bounded chunks (bounding is the core's job)", async () => {
  const line = "250-" + "x".repeat(1024 * 1024) + "\r\n250 OK\r\n";
  const server = net.createServer((s) => s.write(line));
  const sockets = track(server);
  const port = await listen(server);
  try {
    const t = await openTransport({ host: "127.0.0.1", port, tls: "none" });
    const heapBefore = process.memoryUsage().arrayBuffers;
    let got = 0;
    let maxChunk = 0;
    let tail = "";
    for (let i = 0; i < 10_000 && !tail.endsWith("250 OK\r\n"); i++) {
      const c = await t.read();
      if (c === null) break;
      got += c.length;
      maxChunk = Math.max(maxChunk, c.length);
      tail = (tail + Buffer.from(c).toString("latin1")).slice(-16);
    }
    assert.equal(got, line.length);
    assert.ok(maxChunk <= 256 * 1024, `largest chunk ${maxChunk}`);
    assert.ok(process.memoryUsage().arrayBuffers - heapBefore < 64 * 1024 * 1024);
    t.close();
  } finally {
    await closer(server, sockets)();
  }
});

test("byte counters count what crossed the wire", async () => {
  const server = net.createServer((s) => s.on("data", (d) => s.write(d)));
  const sockets = track(server);
  const port = await listen(server);
  try {
    const t = await openTransport({ host: "127.0.0.1", port, tls: "none" });
    await t.write(Buffer.from("EHLO a\r\n"));
    await transportReadUntil(t, "EHLO a\r\n");
    await t.write(Buffer.from("NOOP\r\n"));
    await transportReadUntil(t, "NOOP\r\n");
    assert.equal(t.bytesWritten, 14);
    assert.equal(t.bytesRead, 14);
    t.close();
  } finally {
    await closer(server, sockets)();
  }
});

test("engines: node-tls by name; unknown names and a missing mbedtls-wasm build → TLS_ENGINE_UNAVAILABLE", async () => {
  assert.equal(await loadTlsEngine("node-tls"), nodeTlsEngine);
  const e = await rejection(loadTlsEngine("openssl-1.0" as never));
  assert.equal(e.code, "TLS_ENGINE_UNAVAILABLE");
  // mbedtls-wasm either loads (its build present) or fails with the clear code.
  const m = await loadTlsEngine("mbedtls-wasm").then(
    (eng) => eng,
    (x: unknown) => x,
  );
  if (m instanceof TransportError) {
    assert.equal(m.code, "TLS_ENGINE_UNAVAILABLE");
    assert.match(m.message, /node-tls/);
  } else {
    assert.equal((m as { name: string }).name, "mbedtls-wasm");
  }
  // openTransport checks the engine before it connects: nothing is opened for a bad engine.
  const server = net.createServer();
  let connections = 0;
  server.on("connection", (s) => (connections++, s.destroy()));
  const port = await listen(server);
  try {
    await rejection(openTransport({ host: "127.0.0.1", port, tls: "starttls", engine: "nope" as never }));
    assert.equal(connections, 0);
  } finally {
    server.close();
  }
  void TcpTransport;
});

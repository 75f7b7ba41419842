// Shared by the mbedtls-wasm tests: loopback node:tls / raw TCP peers and a connect helper.
import net from "node:net";
import tls from "node:tls";
import { once } from "node:events";
import { MbedtlsEngine, type MbedtlsEngineOptions } from "../../host/transport/tls-mbedtls.js";
import { mbedtlsAvailable, mbedtlsWasmPath } from "../../host/transport/mbedtls-module.js";
import type { SecureChannel, TlsOptions } from "../../host/transport/types.js";

/** node:test `skip` value: a reason when the engine is not built, false otherwise. */
export const skipWithoutWasm: string | false = mbedtlsAvailable()
  ? false
  : `${mbedtlsWasmPath()} is not built — run "npm run build:tls" (CI builds it)`;

export interface Peer {
  port: number;
  /** Server-side sockets that completed a handshake (TLS) or connected (raw). */
  sockets: net.Socket[];
  /** Bytes the server received after the handshake (application data). */
  received: () => Buffer;
  close(): Promise<void>;
}

/** A node:tls server on 127.0.0.1:0. `onSecure` runs for each established connection. */
export async function tlsServer(options: tls.TlsOptions, onSecure?: (s: tls.TLSSocket) => void): Promise<Peer> {
  const sockets: net.Socket[] = [];
  const chunks: Buffer[] = [];
  const server = tls.createServer(options, (s) => {
    sockets.push(s);
    s.on("data", (d: Buffer) => chunks.push(d));
    s.on("error", () => {});
    onSecure?.(s);
  });
  server.on("tlsClientError", () => {});
  const all = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => {
    all.add(s);
    s.on("close", () => all.delete(s));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    received: () => Buffer.concat(chunks),
    close: () => {
      for (const s of all) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** A raw TCP server on 127.0.0.1:0 that plays `script` against each client. */
export async function rawServer(script: (s: net.Socket) => void): Promise<Peer> {
  const sockets: net.Socket[] = [];
  const chunks: Buffer[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on("data", (d) => chunks.push(d));
    s.on("error", () => {});
    script(s);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    received: () => Buffer.concat(chunks),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** TCP connect to the loopback peer, then hand the socket to the mbedtls-wasm engine. */
export async function connectEngine(port: number, options: TlsOptions, engineOptions: MbedtlsEngineOptions = {}): Promise<SecureChannel> {
  const socket = net.connect(port, "127.0.0.1");
  await once(socket, "connect");
  return new MbedtlsEngine(engineOptions).connect(socket, options);
}

/** Read from the channel until `n` bytes arrived (bounded by a deadline). */
export async function readBytes(ch: SecureChannel, n: number, timeoutMs = 10_000): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let got = 0;
  const deadline = Date.now() + timeoutMs;
  while (got < n) {
    if (Date.now() > deadline) throw new Error(`timed out after ${got}/${n} bytes`);
    const chunk = await Promise.race([
      ch.read(),
      new Promise<"timeout">((r) => setTimeout(() => r("timeout"), Math.max(1, deadline - Date.now())).unref()),
    ]);
    if (chunk === "timeout") continue;
    if (chunk === null) throw new Error(`stream ended after ${got}/${n} bytes`);
    parts.push(chunk);
    got += chunk.length;
  }
  return Buffer.concat(parts);
}

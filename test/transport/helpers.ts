// Loopback peers for the transport tests. Everything listens on 127.0.0.1, port 0.
import * as net from "node:net";
import * as tls from "node:tls";
import type { AddressInfo } from "node:net";

export interface Peer {
  port: number;
  close(): Promise<void>;
}

export async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

/** Close a server and every socket it accepted. */
export function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
}

export function track(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  });
  return sockets;
}

/** Read from a socket until `pattern` has arrived (bounded by `ms`). */
export function readUntil(s: net.Socket | tls.TLSSocket, pattern: string, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    const timer = setTimeout(() => done(new Error(`timeout waiting for ${JSON.stringify(pattern)}; got ${JSON.stringify(got)}`)), ms);
    const onData = (d: Buffer): void => {
      got += d.toString("latin1");
      if (got.includes(pattern)) done(null);
    };
    const done = (e: Error | null): void => {
      clearTimeout(timer);
      s.off("data", onData);
      if (e) reject(e);
      else resolve(got);
    };
    s.on("data", onData);
  });
}

/** Collect transport reads until `pattern` appears in the concatenated text. */
export async function transportReadUntil(t: { read(): Promise<Uint8Array | null> }, pattern: string, maxReads = 1000): Promise<string> {
  let got = "";
  for (let i = 0; i < maxReads; i++) {
    const c = await t.read();
    if (c === null) throw new Error(`end of stream before ${JSON.stringify(pattern)}; got ${JSON.stringify(got)}`);
    got += Buffer.from(c).toString("latin1");
    if (got.includes(pattern)) return got;
  }
  throw new Error(`no ${JSON.stringify(pattern)} after ${maxReads} reads`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

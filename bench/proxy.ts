// A loopback TCP proxy for benchmarks: counts the bytes each way, counts round trips (changes
// of direction between client→server and server→client traffic) and can add latency each way.
// It listens on 127.0.0.1 only and forwards only to a loopback target.
import net from "node:net";

export interface ProxyStats {
  clientToServer: number;
  serverToClient: number;
  /** client→server bursts answered by a server→client burst: each one is a round trip on a WAN */
  roundTrips: number;
}

export interface LoopbackProxy {
  port: number;
  stats(): ProxyStats;
  reset(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number, delayMsEachWay = 0): Promise<LoopbackProxy> {
  let stats: ProxyStats = { clientToServer: 0, serverToClient: 0, roundTrips: 0 };
  let last: "c2s" | "s2c" | null = null;
  const note = (dir: "c2s" | "s2c", n: number) => {
    if (dir === "c2s") stats.clientToServer += n;
    else stats.serverToClient += n;
    if (last === "c2s" && dir === "s2c") stats.roundTrips++;
    last = dir;
  };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    const forward = (from: net.Socket, to: net.Socket, dir: "c2s" | "s2c") => {
      from.on("data", (chunk: Buffer) => {
        note(dir, chunk.length);
        if (delayMsEachWay > 0) {
          // Latency without reordering: timers of equal delay fire in the order they were set.
          setTimeout(() => {
            if (!to.destroyed) to.write(chunk);
          }, delayMsEachWay);
          return;
        }
        if (!to.write(chunk)) {
          from.pause();
          to.once("drain", () => from.resume());
        }
      });
      // End and close follow the data through the same delay, so nothing is cut off.
      const later = (fn: () => void) => (delayMsEachWay > 0 ? setTimeout(fn, delayMsEachWay) : fn());
      from.on("end", () => later(() => to.end()));
      from.on("error", () => later(() => to.destroy()));
      from.on("close", () => {
        sockets.delete(from);
        later(() => to.destroy());
      });
    };
    forward(client, upstream, "c2s");
    forward(upstream, client, "s2c");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    stats: () => ({ ...stats }),
    reset: () => {
      stats = { clientToServer: 0, serverToClient: 0, roundTrips: 0 };
      last = null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

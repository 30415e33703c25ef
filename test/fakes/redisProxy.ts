// A TCP proxy in front of a real redis-server that can lose one answer: once a client sends a
// command containing a given text, Redis still gets (and applies) it, but its reply never reaches
// the client and the connection is cut, as when the network fails between apply and reply.
import { createServer, type Server, type Socket } from "node:net";

export interface RedisProxy {
  port: number;
  url: string;
  /** The next command containing `text` is applied by Redis; its reply is lost and the connection cut. */
  loseReplyTo(text: string): void;
  /** How many replies were lost so far. */
  readonly lost: number;
  close(): Promise<void>;
}

export async function startRedisProxy(target: { host: string; port: number }): Promise<RedisProxy> {
  let armed: string | undefined;
  let lost = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new (client.constructor as typeof Socket)();
    sockets.add(client).add(upstream);
    let swallowing = false;
    upstream.connect(target.port, target.host);
    client.on("data", (chunk) => {
      upstream.write(chunk);
      if (armed && chunk.includes(armed)) {
        armed = undefined;
        swallowing = true;
        lost++;
        // Long enough for Redis to apply it; then the connection dies without the reply.
        setTimeout(() => {
          client.destroy();
          upstream.destroy();
        }, 200);
      }
    });
    upstream.on("data", (chunk) => {
      if (!swallowing) client.write(chunk);
    });
    for (const s of [client, upstream]) {
      s.on("error", () => {});
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    loseReplyTo(text) {
      armed = text;
    },
    get lost() {
      return lost;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

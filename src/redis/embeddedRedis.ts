// A private redis-server for the demo and the tests: the system binary on a free loopback port,
// no persistence, killed with its parent. BullMQ needs the real server (Lua scripts), so there
// is no in-memory stand-in.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UpshiftError } from "../errors/upshiftError.ts";

export interface EmbeddedRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export class RedisServerMissingError extends UpshiftError {
  constructor() {
    super(
      "redis-server was not found on PATH. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; " +
        "macOS: brew install redis) or set REDIS_URL to a running Redis.",
      { retryable: false, exitCode: 1 },
    );
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function redisServerAvailable(binary = "redis-server"): boolean {
  const r = spawnSync(binary, ["--version"], { stdio: "ignore" });
  return r.status === 0;
}

/** Starts redis-server and resolves once it accepts connections (or rejects after timeoutMs). */
/** A throwaway server: loopback only, no persistence, never evicting (BullMQ needs that). */
export function privateServerArgs(port: number, dir: string): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--maxmemory-policy",
    "noeviction",
  ];
}

export async function startEmbeddedRedis(opts: { binary?: string; timeoutMs?: number } = {}): Promise<EmbeddedRedis> {
  const binary = opts.binary ?? "redis-server";
  if (!redisServerAvailable(binary)) throw new RedisServerMissingError();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "upshift-redis-"));
  const server = await startRedisProcess({
    binary,
    args: privateServerArgs(port, dir),
    readyText: "Ready to accept connections",
    timeoutMs: opts.timeoutMs,
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisProcess {
  /** Everything the process printed so far (for error messages). */
  output(): string;
  stop(): Promise<void>;
  /** Sends `signal` (tests: SIGKILL, a crash with no goodbye) and resolves once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Spawns redis-server (also as a sentinel or cluster node) and resolves once its log shows
 * `readyText`; it is killed with this process if never stopped.
 */
export async function startRedisProcess(opts: {
  binary?: string;
  args: string[];
  readyText: string;
  timeoutMs?: number;
}): Promise<RedisProcess> {
  const binary = opts.binary ?? "redis-server";
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const child: ChildProcess = spawn(binary, opts.args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${binary} did not start within ${timeoutMs} ms: ${output}`)),
        timeoutMs,
      );
      const onData = () => {
        if (output.includes(opts.readyText)) {
          clearTimeout(timer);
          child.stdout?.off("data", onData);
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${binary} exited with ${code}: ${output}`));
      });
    });
  } catch (err) {
    child.kill("SIGKILL");
    process.removeListener("exit", killOnExit);
    throw err;
  }

  const gone = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    output: () => output,
    kill: async (signal) => {
      process.removeListener("exit", killOnExit);
      child.kill(signal);
      await gone;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener("exit", killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}

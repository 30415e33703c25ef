// Real Redis topologies for tests: a master watched by one sentinel, and a three-master Redis
// Cluster, each from the system redis-server on free loopback ports in a temp dir of its own.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, privateServerArgs, type RedisProcess, startRedisProcess } from "../../src/redis/embeddedRedis.ts";

export interface Topology {
  url: string;
  stop(): Promise<void>;
}

const serverArgs = privateServerArgs;

async function stopAll(processes: RedisProcess[], dir: string): Promise<void> {
  await Promise.all(processes.map((p) => p.stop()));
  rmSync(dir, { recursive: true, force: true });
}

/** A master and one sentinel monitoring it as `masterName` (quorum 1). */
export async function startSentinelTopology(
  masterName = "mymaster",
): Promise<Topology & { masterPort: number; sentinelPort: number }> {
  const dir = mkdtempSync(join(tmpdir(), "upshift-sentinel-"));
  const processes: RedisProcess[] = [];
  try {
    const masterPort = await freePort();
    processes.push(
      await startRedisProcess({ args: serverArgs(masterPort, dir), readyText: "Ready to accept connections" }),
    );
    const sentinelPort = await freePort();
    // Sentinel rewrites its config file (discovered replicas, epochs): it must be writable.
    const conf = join(dir, "sentinel.conf");
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${masterName} 5000`,
        "",
      ].join("\n"),
    );
    processes.push(await startRedisProcess({ args: [conf, "--sentinel"], readyText: `+monitor master ${masterName}` }));
    return {
      url: `redis+sentinel://127.0.0.1:${sentinelPort}/${masterName}`,
      masterPort,
      sentinelPort,
      stop: () => stopAll(processes, dir),
    };
  } catch (err) {
    await stopAll(processes, dir);
    throw err;
  }
}

export function redisCliAvailable(): boolean {
  return spawnSync("redis-cli", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Three masters, no replicas, slots spread by `redis-cli --cluster create`; resolves once every node says cluster_state:ok. */
export async function startClusterTopology(): Promise<Topology & { ports: number[] }> {
  if (!redisCliAvailable()) {
    throw new Error("redis-cli was not found on PATH; it comes with redis-server (Debian/Ubuntu package redis-tools)");
  }
  const dir = mkdtempSync(join(tmpdir(), "upshift-cluster-"));
  const processes: RedisProcess[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    const started = await Promise.all(
      ports.map((port) =>
        startRedisProcess({
          args: [
            ...serverArgs(port, dir),
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            join(dir, `nodes-${port}.conf`),
          ],
          readyText: "Ready to accept connections",
        }),
      ),
    );
    processes.push(...started);
    const create = spawnSync(
      "redis-cli",
      ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes"],
      { encoding: "utf8", timeout: 20_000 },
    );
    if (create.status !== 0)
      throw new Error(`redis-cli --cluster create failed (${create.status}): ${create.stdout}${create.stderr}`);
    await waitForClusterOk(ports);
    return {
      url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(",")}`,
      ports,
      stop: () => stopAll(processes, dir),
    };
  } catch (err) {
    await stopAll(processes, dir);
    throw err;
  }
}

async function waitForClusterOk(ports: number[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const nodes = ports.map(
    (port) => new Redis({ host: "127.0.0.1", port, lazyConnect: true, connectTimeout: 2_000, commandTimeout: 2_000 }),
  );
  try {
    let last = "";
    while (Date.now() < deadline) {
      const infos = await Promise.all(nodes.map((n) => n.cluster("INFO") as Promise<string>));
      if (infos.every((i) => i.includes("cluster_state:ok"))) return;
      last = infos.join("\n");
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the cluster did not reach cluster_state:ok within ${timeoutMs} ms:\n${last}`);
  } finally {
    for (const n of nodes) n.disconnect();
  }
}

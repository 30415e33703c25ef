// Upshift on Redis Cluster: three real masters, a check end to end through redis+cluster:// with
// a hash-tagged prefix, and every key Upshift writes (BullMQ's and its own) in the tag's slot.
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/errors/configError.ts";
import { QUEUES } from "../../src/queue/queues.ts";
import type { RedisConnection } from "../../src/redis/connection.ts";
import { baselineKey, cycleKeys, lastCheckKey, requestKey, watchKeys } from "../../src/redis/keys.ts";
import { runCheckThrough } from "./checkEndToEnd.ts";
import { startClusterTopology } from "./topology.ts";

let topology: Awaited<ReturnType<typeof startClusterTopology>>;

beforeAll(async () => {
  topology = await startClusterTopology();
}, 30_000);
afterAll(async () => {
  await topology?.stop();
});

describe("Redis Cluster", () => {
  it("runs a check through redis+cluster:// with prefix {upshift-test}, every key in one slot", async () => {
    const prefix = "{upshift-test}";
    expect(loadConfig({ REDIS_URL: topology.url, UPSHIFT_QUEUE_PREFIX: prefix }).env.REDIS_URL).toBe(topology.url);

    let keysByNode: string[][] = [];
    let slots: number[] = [];
    const run = await runCheckThrough(topology.url, prefix, async (producer: RedisConnection) => {
      if (!(producer instanceof Cluster)) throw new Error("expected a Cluster connection for redis+cluster://");
      keysByNode = await Promise.all(producer.nodes("master").map((node) => node.keys(`${prefix}*`)));
      // Upshift's own keys outside BullMQ, built by the same functions the stores use.
      const c = cycleKeys(prefix);
      const own = [
        c.plan("p1"),
        c.votes("p1", "h"),
        c.pending,
        c.audit,
        c.lock("ctx:a"),
        c.journal("p1"),
        watchKeys(prefix, "ctx:a").stop,
        watchKeys(prefix, "ctx:a").dedupe("Pod/ns/p", "crash-loop"),
        watchKeys(prefix, "ctx:a").state("w1").resourceVersions,
        requestKey(prefix, "trigger-1"),
        lastCheckKey(prefix),
        baselineKey(prefix, "ctx:a"),
      ];
      slots = await Promise.all(own.map((k) => producer.cluster("KEYSLOT", k) as Promise<number>));
    });

    expect(run.state).toBe("completed");
    expect(run.duplicate).toMatchObject({ status: "duplicate", reply: { channel: "upgrades" } });
    expect(run.log[0]).toMatchObject({
      kind: "root",
      text: "Upgrade check: prod → 1.32, requested by @alice: checking…",
    });
    expect(run.log.at(-1)).toMatchObject({
      kind: "edit",
      text: expect.stringMatching(/: blocked \(1 blocker, 1 high\)$/),
    });
    expect(run.lastCheck).toMatchObject({ verdict: "blocked", target: "1.32", serverVersion: "v1.31.4" });

    // All keys on one master of three: the one owning the tag's slot.
    const withKeys = keysByNode.filter((keys) => keys.length > 0);
    expect(withKeys).toHaveLength(1);
    expect(withKeys[0]).toEqual(
      expect.arrayContaining([`${prefix}:${QUEUES.check.name}:meta`, `${prefix}:last-check`]),
    );
    expect(new Set(slots).size).toBe(1);
  });

  it("is refused at start with a prefix that has no hash tag", () => {
    let problems: string[] = [];
    try {
      loadConfig({ REDIS_URL: topology.url, UPSHIFT_QUEUE_PREFIX: "upshift" });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([
      "UPSHIFT_QUEUE_PREFIX: Redis Cluster needs a hash tag so every queue key lands in one slot, e.g. {upshift}",
    ]);
  });
});

// Upshift through Redis Sentinel: the URL names only the sentinel; ioredis asks it for the
// master's address, and a real check runs end to end on that master.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUES } from "../../src/queue/queues.ts";
import { runCheckThrough } from "./checkEndToEnd.ts";
import { startSentinelTopology } from "./topology.ts";

let topology: Awaited<ReturnType<typeof startSentinelTopology>>;

beforeAll(async () => {
  topology = await startSentinelTopology("mymaster");
});
afterAll(async () => {
  await topology?.stop();
});

describe("Redis Sentinel", () => {
  it("runs a check through redis+sentinel://, with its jobs on the master the sentinel names", async () => {
    expect(topology.url).toBe(`redis+sentinel://127.0.0.1:${topology.sentinelPort}/mymaster`);
    const prefix = "upshift-sentinel";
    const run = await runCheckThrough(topology.url, prefix);

    expect(run.state).toBe("completed");
    expect(run.duplicate).toMatchObject({ status: "duplicate", reply: { channel: "upgrades" } });
    const root = run.log[0];
    expect(root).toMatchObject({
      kind: "root",
      channel: "upgrades",
      text: "Upgrade check: prod → 1.32, requested by @alice: checking…",
    });
    expect(
      run.log
        .filter((e) => e.kind === "reply")
        .map((e) => e.text)
        .join("\n"),
    ).toContain("HELM-01");
    expect(run.log.at(-1)).toMatchObject({
      kind: "edit",
      id: root.id,
      text: expect.stringMatching(/: blocked \(1 blocker, 1 high\)$/),
    });
    expect(run.lastCheck).toMatchObject({ verdict: "blocked", target: "1.32", serverVersion: "v1.31.4" });

    // The keys are on the master itself (the URL never named its port).
    const master = new Redis({
      host: "127.0.0.1",
      port: topology.masterPort,
      connectTimeout: 2_000,
      commandTimeout: 2_000,
    });
    try {
      expect(await master.hget(`${prefix}:last-check`, "prod")).toContain('"verdict":"blocked"');
      expect(await master.exists(`${prefix}:${QUEUES.check.name}:meta`)).toBe(1);
    } finally {
      master.disconnect();
    }
  });
});

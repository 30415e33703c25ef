// /upgrade-check all: one thread, one check per context as a BullMQ flow, one summary table —
// with an unreachable cluster reported as "could not check" while the others still report.
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ConsolePoster } from "../../adapters/console/consolePoster.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { checksById } from "../../src/checks/catalog/index.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { createLogger } from "../../src/log.ts";
import { JobSubmitter } from "../../src/queue/jobSubmitter.ts";
import { freePort } from "../../src/redis/embeddedRedis.ts";
import { kubeconfigFor, type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { type CheckWorker, startCheckWorker } from "../../worker/checkWorker.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";

let prod: SandboxServer;
let staging: SandboxServer;
let producer: Redis;
let workerRedis: Redis;
let worker: CheckWorker;
let queues: JobSubmitter;
const poster = new ConsolePoster(new PassThrough().resume());

beforeAll(async () => {
  prod = await startSandbox({ objects: plantedProblems(), serverVersion: "v1.31.4" });
  staging = await startSandbox({ objects: [], serverVersion: "v1.31.2" });
  const deadPort = await freePort();
  const clusters = ClusterDirectory.fromString(
    kubeconfigFor([
      { name: "prod", url: prod.url },
      { name: "staging", url: staging.url },
      { name: "lab", url: `http://127.0.0.1:${deadPort}` },
    ]),
    { timeoutMs: 1_000 },
  );
  const prefix = `fleet-${randomBytes(4).toString("hex")}`;
  producer = new Redis(inject("redisUrl"));
  workerRedis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  queues = new JobSubmitter(producer, prefix, { backoffDelayMs: 20 });
  worker = startCheckWorker(
    {
      clusters,
      checks: checksById(["HELM-01", "PRB-01"]),
      posters: new PosterRegistry([poster]),
      file: fileConfigSchema.parse({}),
      logger: createLogger("silent"),
    },
    { connection: workerRedis, prefix, concurrency: 3, checkJobOptions: { ...queues.checkJobOptions, attempts: 2 } },
  );
});

afterAll(async () => {
  await worker.close();
  await queues.close();
  await producer.quit();
  await workerRedis.quit();
  await prod.close();
  await staging.close();
});

describe("fleet check", () => {
  it("fans out one check per context and posts one summary table in one thread", async () => {
    const result = await queues.enqueueFleetCheck(
      {
        target: "1.32",
        requester: { platform: "console", userId: "alice" },
        reply: { platform: "console", channel: "fleet" },
        requestedAt: new Date().toISOString(),
      },
      ["prod", "staging", "lab"],
    );
    expect(result.status).toBe("queued");
    const again = await queues.enqueueFleetCheck(
      {
        target: "1.32",
        requester: { platform: "console", userId: "bob" },
        reply: { platform: "console", channel: "fleet" },
        requestedAt: new Date().toISOString(),
      },
      ["prod", "staging", "lab"],
    );
    expect(again.status).toBe("duplicate");

    const deadline = Date.now() + 20_000;
    while (!poster.log.some((e) => e.text.startsWith("Fleet summary")) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));

    const roots = poster.log.filter((e) => e.kind === "root");
    expect(roots).toHaveLength(1);
    const root = roots[0];
    const replies = poster.log.filter((e) => e.kind === "reply");
    expect(replies.every((r) => r.thread === root.id)).toBe(true);
    const summary = replies.find((r) => r.text.startsWith("Fleet summary"))!;
    expect(summary.text).toContain("(3 of 3 clusters)");
    expect(summary.text).toMatch(/prod\s+v1\.31\.4 → 1\.32\s+blocked\s+1\s+1/);
    expect(summary.text).toMatch(/staging\s+v1\.31\.2 → 1\.32\s+ready/);
    expect(summary.text).toMatch(/lab\s+-\s+could not check: cluster lab: read \/version failed/);
    expect(replies.some((r) => r.text.startsWith("prod v1.31.4 → 1.32: blocked"))).toBe(true);
    const edit = poster.log.filter((e) => e.kind === "edit").at(-1)!;
    expect(edit.id).toBe(root.id);
    expect(edit.text).toContain("done: 1 ready, 0 with warnings, 1 blocked, 1 could not be checked");
  });
});

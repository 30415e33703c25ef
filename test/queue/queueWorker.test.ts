// startQueueWorker: every queue's worker runs on its row of the queue table (src/queue/queues.ts),
// with the values the four start*Worker functions set before they shared it, and runs a job on
// the queue of that name.
import { randomBytes } from "node:crypto";
import { Queue, type Worker } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterEach, expect, inject, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { QUEUES, type QueueKind } from "../../src/queue/queues.ts";
import { startQueueWorker } from "../../src/queue/queueWorker.ts";

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function connection(): Redis {
  const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  cleanups.push(() => redis.quit());
  return redis;
}

const logger = createLogger("silent");
const idle = async () => undefined;

it("gives each queue's worker the settings of its row", async () => {
  const redis = connection();
  const prefix = `t-qw-${randomBytes(4).toString("hex")}`;
  const expected: Record<QueueKind, object> = {
    check: { concurrency: 4, lockDuration: 30_000, lockRenewTime: 15_000, stalledInterval: 15_000, maxStalledCount: 2 },
    cycle: { concurrency: 2, lockDuration: 6_000, lockRenewTime: 1_500, stalledInterval: 1_000, maxStalledCount: 3 },
    watch: { concurrency: 20, lockDuration: 6_000, lockRenewTime: 1_500, stalledInterval: 1_000, maxStalledCount: 20 },
    status: {
      concurrency: 4,
      lockDuration: 30_000,
      lockRenewTime: 15_000,
      stalledInterval: 30_000,
      maxStalledCount: 1,
    },
  };
  for (const kind of Object.keys(QUEUES) as QueueKind[]) {
    const worker: Worker = startQueueWorker(kind, idle, { connection: redis, prefix, logger });
    cleanups.push(() => worker.close());
    expect(worker.name).toBe(QUEUES[kind].name);
    expect(worker.opts, kind).toMatchObject({ prefix, ...expected[kind] });
  }
});

it("takes the caller's concurrency, lock and stalled check; renewal keeps the row's share of the lock", async () => {
  const redis = connection();
  const prefix = `t-qw-${randomBytes(4).toString("hex")}`;
  const opts = { connection: redis, prefix, logger, concurrency: 7, lockDurationMs: 2_000, stalledIntervalMs: 500 };
  const watch = startQueueWorker("watch", idle, opts);
  const check = startQueueWorker("check", idle, opts);
  cleanups.push(
    () => watch.close(),
    () => check.close(),
  );
  expect(watch.opts).toMatchObject({ concurrency: 7, lockDuration: 2_000, lockRenewTime: 500, stalledInterval: 500 });
  expect(check.opts).toMatchObject({ concurrency: 7, lockDuration: 2_000, lockRenewTime: 1_000, stalledInterval: 500 });
});

it("runs the queue's jobs, logs worker errors, and closes what the processor opened", async () => {
  const redis = connection();
  const prefix = `t-qw-${randomBytes(4).toString("hex")}`;
  const queue = new Queue(QUEUES.status.name, { connection: redis, prefix });
  cleanups.push(() => queue.close());
  const lines: Array<{ level: number; msg: string; err: { type: string; message: string; stack: string } }> = [];
  const log = pino({ level: "error" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  let closed = 0;
  const worker = startQueueWorker("status", async (job) => `ran ${job.data.cluster}`, {
    connection: redis,
    prefix,
    logger: log,
    onClosed: () => closed++,
  });
  const done = new Promise<string>((resolve) => worker.on("completed", (_job, result) => resolve(result as string)));
  await queue.add("status", {
    kind: "status",
    cluster: "prod",
    requester: { platform: "console", userId: "u1" },
    reply: { platform: "console", channel: "c1" },
    requestedAt: new Date().toISOString(),
  });
  expect(await done).toBe("ran prod");
  worker.emit("error", new Error("boom"));
  expect(lines).toMatchObject([{ level: 50, msg: "status worker error", err: { type: "Error", message: "boom" } }]);
  expect(lines[0].err.stack).toContain("queueWorker.test.ts");
  await worker.close();
  expect(closed).toBe(1);
});

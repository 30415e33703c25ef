// Takeover of long jobs (watches, add-on cycles) after a worker's death, issue 14: the settings
// that bound it, and the other side of short locks, a slow but alive worker keeping its job.
// The SIGKILL takeovers themselves are test/watch/crash.test.ts and test/cycles/crash.test.ts
// (both on these production settings); bench/takeover.ts times them.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, expect, inject, it } from "vitest";
import { CycleEngine } from "../../src/cycles/cycleEngine.ts";
import { createLogger } from "../../src/log.ts";
import {
  ALERT_CLAIM_MS,
  CLUSTER_LOCK_TTL_MS,
  EARLIEST_TAKEOVER_MS,
  LONG_JOB_LOCK,
  STEP_LEASE_MS,
  TAKEOVER_BOUND_MS,
} from "../../src/queue/takeover.ts";
import type { CycleProcessorDeps } from "../../worker/cycleProcessor.ts";
import { startCycleWorker } from "../../worker/cycleWorker.ts";
import type { WatchProcessorDeps } from "../../worker/watchProcessor.ts";
import { startWatchWorker } from "../../worker/watchWorker.ts";

const redisUrl = inject("redisUrl");
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it("watch and cycle workers take a dead worker's job over within 7 s and renew well inside their lock", async () => {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  cleanups.push(() => connection.quit());
  const prefix = `t-tk-${randomBytes(4).toString("hex")}`;
  const logger = createLogger("silent");
  const watch = startWatchWorker({ logger } as WatchProcessorDeps, { connection, prefix });
  const cycle = startCycleWorker({ logger } as CycleProcessorDeps, { connection, prefix });
  cleanups.push(
    () => watch.close(),
    () => cycle.close(),
  );
  for (const w of [watch, cycle]) {
    expect(w.opts).toMatchObject({ lockDuration: 6_000, lockRenewTime: 1_500, stalledInterval: 1_000 });
  }
  // The lock lapses at most lockDuration after the death, the next stalled check moves the job.
  expect(TAKEOVER_BOUND_MS).toBe(7_000);
  expect(TAKEOVER_BOUND_MS).toBeLessThan(10_000);
  // A live worker may be blocked this long and keep its jobs (see the next test).
  expect(LONG_JOB_LOCK.lockDuration - LONG_JOB_LOCK.lockRenewTime).toBe(4_500);
  // What a dead worker leaves behind lapses before anyone can take over: the alert it was
  // posting is replayed and posted, its step is claimed at once.
  expect(ALERT_CLAIM_MS).toBeLessThan(EARLIEST_TAKEOVER_MS);
  expect(STEP_LEASE_MS).toBeLessThanOrEqual(EARLIEST_TAKEOVER_MS);
  // While a resumed cycle is on its way, no other cycle can take the cluster.
  expect(CLUSTER_LOCK_TTL_MS).toBeGreaterThan(TAKEOVER_BOUND_MS);
  const engine = new CycleEngine({ redis: connection, prefix, drivers: {} });
  expect(engine.lock("c").ttlMs).toBe(CLUSTER_LOCK_TTL_MS);
});

it("a worker whose event loop is blocked 3.5 s at a time keeps its job: the stalled check never hands it on", async () => {
  const prefix = `t-tk-${randomBytes(4).toString("hex")}`;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue("takeover-blocking", { connection, prefix });
  // The stalled check runs here, in another process than the busy worker, as it would on a
  // second replica; this worker takes no jobs itself.
  const checker = new Worker("takeover-blocking", null, { connection, prefix, ...LONG_JOB_LOCK, autorun: false });
  const stalled: string[] = [];
  checker.on("stalled", (id) => stalled.push(id));
  cleanups.push(
    () => checker.close(),
    () => queue.close(),
    () => connection.quit(),
  );
  const child = spawn(process.execPath, [new URL("./blockingWorkerEntry.ts", import.meta.url).pathname], {
    env: { ...process.env, REDIS_URL: redisUrl, PREFIX: prefix, BLOCK_MS: "3500", ROUNDS: "2" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  cleanups.push(() => child.kill("SIGKILL"));
  await once(child.stdout!, "data");
  void checker.startStalledCheckTimer();

  const job = await queue.add("slow", {});
  const deadline = Date.now() + 60_000;
  let state = await job.getState();
  while (state !== "completed" && state !== "failed" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    state = await job.getState();
  }
  expect(state).toBe("completed");
  const done = await queue.getJob(job.id!);
  expect(done?.returnvalue).toEqual({ pid: child.pid });
  expect(done?.stalledCounter ?? 0).toBe(0);
  expect(stalled).toEqual([]);
}, 90_000);

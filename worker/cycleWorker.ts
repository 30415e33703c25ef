// The BullMQ worker for add-on cycles. A killed worker's job is noticed as stalled once its lock
// lapses and handed to another worker within 7 s (src/queue/takeover.ts), which resumes from the
// step journal.
import { Worker } from "bullmq";
import type { CycleJobData } from "../src/cycles/types.ts";
import { QUEUE_NAMES } from "../src/queue/jobs.ts";
import { LONG_JOB_LOCK } from "../src/queue/takeover.ts";
import { type CycleJobResult, type CycleProcessorDeps, createCycleProcessor } from "./cycleProcessor.ts";
import type { RedisConnection } from "../src/queue/redisConnection.ts";

export interface CycleWorkerOptions {
  connection: RedisConnection;
  prefix: string;
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export function startCycleWorker(
  deps: CycleProcessorDeps,
  opts: CycleWorkerOptions,
): Worker<CycleJobData, CycleJobResult> {
  const worker = new Worker<CycleJobData, CycleJobResult>(QUEUE_NAMES.cycle, createCycleProcessor(deps), {
    connection: opts.connection,
    prefix: opts.prefix,
    // Cycles on different clusters may run side by side; the cluster lock keeps one per cluster.
    concurrency: opts.concurrency ?? 2,
    lockDuration: opts.lockDurationMs ?? LONG_JOB_LOCK.lockDuration,
    // Renewal stays well inside the lock whatever lockDuration a caller gives.
    lockRenewTime: opts.lockDurationMs ? opts.lockDurationMs / 4 : LONG_JOB_LOCK.lockRenewTime,
    stalledInterval: opts.stalledIntervalMs ?? LONG_JOB_LOCK.stalledInterval,
    // Resuming is safe (journal), so a cycle may survive a few worker deaths before it is failed.
    maxStalledCount: 3,
  });
  worker.on("error", (err) => deps.logger.error({ err }, "cycle worker error"));
  return worker;
}

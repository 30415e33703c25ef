// The BullMQ worker for watch jobs. A watch is long and mostly idle, so one worker runs many
// (concurrency). Short lock and stalled check (src/queue/takeover.ts): a killed worker's watch is
// taken over by another within 7 s; maxStalledCount is high because, unlike a check, a watch that
// outlives several worker restarts is the normal case during an upgrade.
import { Worker } from "bullmq";
import { QUEUE_NAMES } from "../src/queue/jobs.ts";
import { LONG_JOB_LOCK } from "../src/queue/takeover.ts";
import type { WatchJobData } from "../src/watch/types.ts";
import { createWatchProcessor, type WatchJobResult, type WatchProcessorDeps } from "./watchProcessor.ts";
import type { RedisConnection } from "../src/queue/redisConnection.ts";

export interface WatchWorkerOptions {
  /** Blocking connection for BullMQ (maxRetriesPerRequest: null). */
  connection: RedisConnection;
  prefix: string;
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export function startWatchWorker(
  deps: WatchProcessorDeps,
  opts: WatchWorkerOptions,
): Worker<WatchJobData, WatchJobResult> {
  const worker = new Worker<WatchJobData, WatchJobResult>(QUEUE_NAMES.watch, createWatchProcessor(deps), {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? 20,
    lockDuration: opts.lockDurationMs ?? LONG_JOB_LOCK.lockDuration,
    // Renewal stays well inside the lock whatever lockDuration a caller gives.
    lockRenewTime: opts.lockDurationMs ? opts.lockDurationMs / 4 : LONG_JOB_LOCK.lockRenewTime,
    stalledInterval: opts.stalledIntervalMs ?? LONG_JOB_LOCK.stalledInterval,
    maxStalledCount: 20,
  });
  worker.on("error", (err) => deps.logger.error({ err }, "watch worker error"));
  return worker;
}

// The BullMQ worker for watch jobs. A watch is long and mostly idle, so one worker runs many
// (concurrency). lockDuration ~30 s: a killed worker's watch is seen as stalled and taken over by
// another within about lockDuration + stalledInterval; maxStalledCount is high because, unlike a
// check, a watch that outlives several worker restarts is the normal case during an upgrade.
import { Worker } from "bullmq";
import { QUEUE_NAMES } from "../src/queue/jobs.ts";
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
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 15_000,
    maxStalledCount: 20,
  });
  worker.on("error", (err) => deps.logger.error({ err: err.message }, "watch worker error"));
  return worker;
}

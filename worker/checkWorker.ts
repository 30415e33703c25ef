// The BullMQ worker for check jobs. lockDuration is short enough that a killed worker's job is
// noticed as stalled and handed to another worker within ~30 s, long enough for a slow list.
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { QUEUE_NAMES } from "../src/queue/jobs.ts";
import { type CheckJobProgress, type CheckJobResult, type CheckProcessorDeps, createCheckProcessor } from "./checkProcessor.ts";

export interface CheckWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export function startCheckWorker(deps: CheckProcessorDeps, opts: CheckWorkerOptions): Worker<CheckJobProgress, CheckJobResult> {
  const worker = new Worker<CheckJobProgress, CheckJobResult>(QUEUE_NAMES.check, createCheckProcessor(deps), {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? 4,
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 15_000,
    // A job whose worker died twice mid-run is failed rather than retried forever.
    maxStalledCount: 2,
  });
  worker.on("error", (err) => deps.logger.error({ err: err.message }, "check worker error"));
  return worker;
}

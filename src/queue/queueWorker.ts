// The one way a queue's worker starts: BullMQ's Worker on the queue's row of the table
// (queues.ts: concurrency, lock, stalled check, maxStalledCount; the watch and cycle rows carry
// the takeover settings of takeover.ts), its errors logged, and what the processor opened closed
// with it. A worker in worker/ supplies only its processor.
import { type Processor, Worker } from "bullmq";
import type { Logger } from "../log.ts";
import type { RedisConnection } from "../redis/connection.ts";
import { QUEUES, type QueueKind, type QueuePayloads } from "./queues.ts";

/** What every worker's caller chooses; anything left out comes from the queue's row. */
export interface QueueWorkerOptions {
  /** A blocking connection (maxRetriesPerRequest: null): workers wait out a Redis outage. */
  connection: RedisConnection;
  prefix: string;
  concurrency?: number;
  /** Tests shorten the lock; its renewal keeps the row's proportion of it (a quarter, a half). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export function startQueueWorker<K extends QueueKind, Result>(
  kind: K,
  processor: Processor<QueuePayloads[K], Result>,
  opts: QueueWorkerOptions & {
    logger: Logger;
    /** Runs once the worker has closed: queues and flow producers the processor uses. */
    onClosed?: () => void;
  },
): Worker<QueuePayloads[K], Result> {
  const queue = QUEUES[kind];
  const settings = queue.worker;
  const worker = new Worker<QueuePayloads[K], Result>(queue.name, processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? settings.concurrency,
    lockDuration: opts.lockDurationMs ?? settings.lockDuration,
    // Renewal stays well inside the lock whatever lockDuration a caller gives.
    lockRenewTime: opts.lockDurationMs
      ? (opts.lockDurationMs * settings.lockRenewTime) / settings.lockDuration
      : settings.lockRenewTime,
    stalledInterval: opts.stalledIntervalMs ?? settings.stalledInterval,
    maxStalledCount: settings.maxStalledCount,
  });
  worker.on("error", (err) => opts.logger.error({ err }, `${kind} worker error`));
  if (opts.onClosed) worker.on("closed", opts.onClosed);
  return worker;
}

// The BullMQ worker for watch jobs. A watch is long and mostly idle, so one worker runs many; a
// killed worker's watch is taken over by another within 7 s (src/queue/takeover.ts, the watch
// row of src/queue/queues.ts).
import type { Worker } from "bullmq";
import type { WatchJobData } from "../src/queue/jobs.ts";
import { type QueueWorkerOptions, startQueueWorker } from "../src/queue/queueWorker.ts";
import { createWatchProcessor, type WatchJobResult, type WatchProcessorDeps } from "./watchProcessor.ts";

export function startWatchWorker(
  deps: WatchProcessorDeps,
  opts: QueueWorkerOptions,
): Worker<WatchJobData, WatchJobResult> {
  return startQueueWorker("watch", createWatchProcessor(deps), { ...opts, logger: deps.logger });
}

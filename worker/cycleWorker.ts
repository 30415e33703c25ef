// The BullMQ worker for add-on cycles. A killed worker's job is noticed as stalled once its lock
// lapses and handed to another worker within 7 s (src/queue/takeover.ts, the cycle row of
// src/queue/queues.ts), which resumes from the step journal.
import type { Worker } from "bullmq";
import type { CycleJobData } from "../src/queue/jobs.ts";
import { type QueueWorkerOptions, startQueueWorker } from "../src/queue/queueWorker.ts";
import { type CycleJobResult, type CycleProcessorDeps, createCycleProcessor } from "./cycleProcessor.ts";

export function startCycleWorker(
  deps: CycleProcessorDeps,
  opts: QueueWorkerOptions,
): Worker<CycleJobData, CycleJobResult> {
  return startQueueWorker("cycle", createCycleProcessor(deps), { ...opts, logger: deps.logger });
}

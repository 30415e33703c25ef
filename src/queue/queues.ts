// Every queue Upshift runs, in one table: its name in Redis, the payload its jobs carry (jobs.ts),
// the options every job gets, and how its workers hold and hand on a job. One queue per kind of
// work, so each can be scaled and monitored on its own. A new queue is a row here, its payload in
// jobs.ts, and a processor in worker/ started by startQueueWorker() (queueWorker.ts).
import type { JobsOptions } from "bullmq";
import type { CheckQueueJobData, CycleJobData, StatusJobData, WatchJobData } from "./jobs.ts";
import { LONG_JOB_LOCK } from "./takeover.ts";

/** How a queue's workers run its jobs (BullMQ Worker options; callers may shorten the lock). */
export interface QueueWorkerSettings {
  /** Jobs one worker runs at once. */
  concurrency: number;
  lockDuration: number;
  /** How often a running job's lock is extended; keeps its proportion of a shortened lock. */
  lockRenewTime: number;
  stalledInterval: number;
  /** Worker deaths a job survives (stalled and handed on) before it is failed. */
  maxStalledCount: number;
}

export interface QueueSpec {
  name: string;
  jobOptions: JobsOptions;
  worker: QueueWorkerSettings;
}

const WEEK_S = 7 * 24 * 3600;

export const QUEUES = {
  /** Checks, fleet fan-outs and their summaries, and verifies (job kinds of CheckQueueJobData). */
  check: {
    name: "upshift-check",
    // Retries for transient cluster errors: 5 attempts, 2 s, 4 s, 8 s, 16 s.
    jobOptions: {
      attempts: 5,
      backoff: { type: "exponential", delay: 2_000 },
      removeOnComplete: { age: WEEK_S, count: 1000 },
      removeOnFail: { age: WEEK_S, count: 1000 },
    },
    // The lock is long enough for a slow list; a killed worker's check is noticed as stalled and
    // handed to another worker within ~30 s. A check whose worker died twice mid-run is failed
    // rather than retried forever. (BullMQ renews at half the lock by default.)
    worker: {
      concurrency: 4,
      lockDuration: 30_000,
      lockRenewTime: 15_000,
      stalledInterval: 15_000,
      maxStalledCount: 2,
    },
  },
  /** Add-on cycles: a plan, then (once approved) its run. */
  cycle: {
    name: "upshift-cycle",
    // A cycle changes the cluster: it is never retried blindly. A crashed worker's job is handed on
    // as a stalled job and resumes from the journal instead.
    jobOptions: {
      attempts: 1,
      removeOnComplete: { age: 30 * 24 * 3600, count: 1000 },
      removeOnFail: { age: 30 * 24 * 3600, count: 1000 },
    },
    // Cycles on different clusters may run side by side; the cluster lock keeps one per cluster.
    // Taken over within 7 s of a worker's death (takeover.ts); resuming is safe (journal), so a
    // cycle may survive a few worker deaths before it is failed.
    worker: { concurrency: 2, ...LONG_JOB_LOCK, maxStalledCount: 3 },
  },
  /** Watches: long and mostly idle, so one worker runs many. */
  watch: {
    name: "upshift-watch",
    // A watch that failed to reach its cluster three times is reported rather than retried forever.
    jobOptions: {
      attempts: 3,
      backoff: { type: "exponential", delay: 5_000 },
      removeOnComplete: { age: WEEK_S, count: 500 },
      removeOnFail: { age: WEEK_S, count: 500 },
    },
    // Taken over within 7 s of a worker's death (takeover.ts). maxStalledCount is high because,
    // unlike a check, a watch that outlives several worker restarts is the normal case during an
    // upgrade.
    worker: { concurrency: 20, ...LONG_JOB_LOCK, maxStalledCount: 20 },
  },
  /** /upgrade-status: collect, render, post one message. */
  status: {
    name: "upshift-status",
    jobOptions: { attempts: 2, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    // BullMQ's defaults but for the concurrency.
    worker: {
      concurrency: 4,
      lockDuration: 30_000,
      lockRenewTime: 15_000,
      stalledInterval: 30_000,
      maxStalledCount: 1,
    },
  },
} as const satisfies Record<string, QueueSpec>;

export type QueueKind = keyof typeof QUEUES;

/** The payload each queue's jobs carry. */
export interface QueuePayloads {
  check: CheckQueueJobData;
  cycle: CycleJobData;
  watch: WatchJobData;
  status: StatusJobData;
}

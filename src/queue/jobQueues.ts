// The producer side of the queue: what the command handlers call to turn a request into a job.
// The same check for the same cluster and target while one is queued or running is not queued
// again: BullMQ deduplication by id answers with the existing job, whose thread we point to.
import { randomUUID } from "node:crypto";
import { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { ReplyAddress } from "../chat/types.ts";
import { type CheckJobData, type CheckQueueJobData, checkJobId, type FleetJobData, QUEUE_NAMES } from "./jobs.ts";

export type EnqueueResult =
  | { status: "queued"; jobId: string }
  | { status: "duplicate"; jobId: string; reply?: ReplyAddress };

/** Retries for transient cluster errors: 5 attempts, 2 s, 4 s, 8 s, 16 s. */
export const CHECK_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
} as const;

export interface JobQueuesOptions {
  /** First retry delay; doubles each attempt. Tests shorten it. */
  backoffDelayMs?: number;
}

export class JobQueues {
  readonly check: Queue<CheckQueueJobData>;
  private readonly jobOptions: typeof CHECK_JOB_OPTIONS;

  constructor(connection: Redis, prefix: string, opts: JobQueuesOptions = {}) {
    this.check = new Queue<CheckQueueJobData>(QUEUE_NAMES.check, { connection, prefix });
    this.jobOptions = {
      ...CHECK_JOB_OPTIONS,
      backoff: { type: "exponential", delay: opts.backoffDelayMs ?? CHECK_JOB_OPTIONS.backoff.delay },
    } as typeof CHECK_JOB_OPTIONS;
  }

  async enqueueCheck(data: CheckJobData): Promise<EnqueueResult> {
    const jobId = randomUUID();
    const job = await this.check.add("check", data, {
      ...this.jobOptions,
      jobId,
      deduplication: { id: checkJobId(data.cluster, data.target) },
    });
    if (job.id === jobId) return { status: "queued", jobId };
    return this.duplicateOf(job.id);
  }

  /** One fleet job per target at a time; it opens the thread and fans out the flow itself. */
  async enqueueFleetCheck(data: Omit<CheckJobData, "cluster" | "kind">, clusters: string[]): Promise<EnqueueResult> {
    const jobId = randomUUID();
    const fleet: FleetJobData = { ...data, kind: "fleet", clusters };
    const job = await this.check.add("fleet", fleet, {
      ...this.jobOptions,
      jobId,
      deduplication: { id: checkJobId("fleet", data.target) },
    });
    if (job.id === jobId) return { status: "queued", jobId };
    return this.duplicateOf(job.id);
  }

  private async duplicateOf(id: string | undefined): Promise<EnqueueResult> {
    const existing = id ? await Job.fromId<CheckQueueJobData>(this.check, id) : undefined;
    return { status: "duplicate", jobId: id ?? "", reply: existing?.data.reply };
  }

  /** Job options of every check, for the flow children a fleet job adds. */
  get checkJobOptions() {
    return this.jobOptions;
  }

  async close(): Promise<void> {
    await this.check.close();
  }
}

// The producer side of the queue: what the command handlers call to turn a request into a job.
// The same check for the same cluster and target while one is queued or running is not queued
// again: BullMQ deduplication by id answers with the existing job, whose thread we point to.
//
// Adds go out on a connection of their own with ioredis auto-pipelining: a burst of slash
// commands (200 at once in bench/slack.ts) becomes a few socket writes instead of one write
// syscall per job, which was the largest single CPU cost of an ack. Only adds use it, so the
// shared connection's ordering (MULTI, blocking and admin commands elsewhere) is unchanged;
// each add still gets its own reply, error and commandTimeout.
import { createHash, randomUUID } from "node:crypto";
import { Job, Queue } from "bullmq";
import type { ReplyAddress } from "../chat/types.ts";
import {
  type CheckJobData,
  type CheckQueueJobData,
  checkJobId,
  type FleetJobData,
  QUEUE_NAMES,
  type VerifyJobData,
  verifyJobId,
} from "./jobs.ts";
import { duplicateConnection, type RedisConnection } from "./redisConnection.ts";

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

/** A short stable key for a set of cluster names (order does not matter). */
function clusterSetKey(clusters: readonly string[]): string {
  return createHash("sha256")
    .update(JSON.stringify([...clusters].sort()))
    .digest("base64url")
    .slice(0, 16);
}

export class JobQueues {
  readonly check: Queue<CheckQueueJobData>;
  /** The same queue on the auto-pipelined connection: adds only. */
  private readonly adder: Queue<CheckQueueJobData>;
  private readonly addConnection: RedisConnection;
  private readonly jobOptions: typeof CHECK_JOB_OPTIONS;

  constructor(connection: RedisConnection, prefix: string, opts: JobQueuesOptions = {}) {
    this.check = new Queue<CheckQueueJobData>(QUEUE_NAMES.check, { connection, prefix });
    // Same options as the caller's connection (timeouts, retries, offline queue), plus pipelining.
    this.addConnection = duplicateConnection(connection, { enableAutoPipelining: true });
    // Its errors reach whoever listens on the caller's connection and queue (a Redis outage is
    // logged there); with no listener they are dropped here rather than crash the process.
    this.addConnection.on("error", (err: Error) => {
      if (connection.listenerCount("error") > 0) connection.emit("error", err);
    });
    this.adder = new Queue<CheckQueueJobData>(QUEUE_NAMES.check, { connection: this.addConnection, prefix });
    this.adder.on("error", (err: Error) => {
      if (this.check.listenerCount("error") > 0) this.check.emit("error", err);
    });
    this.jobOptions = {
      ...CHECK_JOB_OPTIONS,
      backoff: { type: "exponential", delay: opts.backoffDelayMs ?? CHECK_JOB_OPTIONS.backoff.delay },
    } as typeof CHECK_JOB_OPTIONS;
  }

  async enqueueCheck(data: CheckJobData): Promise<EnqueueResult> {
    const jobId = randomUUID();
    const job = await this.adder.add("check", data, {
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
    const job = await this.adder.add("fleet", fleet, {
      ...this.jobOptions,
      jobId,
      // Per set of clusters: with access rules, "all" differs from channel to channel, and one
      // channel's fleet run must not stand in for another's.
      deduplication: { id: checkJobId(`fleet-${clusterSetKey(clusters)}`, data.target) },
    });
    if (job.id === jobId) return { status: "queued", jobId };
    return this.duplicateOf(job.id);
  }

  /** A verify; the same cluster verified into the same channel or thread while one is queued is not queued twice. */
  async enqueueVerify(data: VerifyJobData): Promise<EnqueueResult> {
    const jobId = randomUUID();
    const job = await this.adder.add("verify", data, {
      ...this.jobOptions,
      jobId,
      deduplication: { id: verifyJobId(data.cluster, data.reply.thread ?? data.reply.channel) },
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
    await Promise.all([this.check.close(), this.adder.close()]);
    this.addConnection.disconnect();
  }
}

// Starting and stopping watches: what /upgrade-watch and the add-on cycle engine call. One watch
// per cluster: BullMQ deduplication answers a second start with the running job. Stop sets a
// Redis flag the running job polls (a queued job that has not started is simply removed).
import { randomUUID } from "node:crypto";
import { Job, Queue } from "bullmq";
import type { ReplyAddress } from "../chat/types.ts";
import type { WatchJobData, WatchOrigin } from "../queue/jobs.ts";
import { QUEUES } from "../queue/queues.ts";
import type { RedisCommands } from "../redis/commands.ts";
import type { RedisConnection } from "../redis/connection.ts";
import { watchKeys } from "../redis/keys.ts";
import { safeKeyPart } from "../redis/safeKeyPart.ts";

export type WatchStartResult =
  | { status: "started"; jobId: string; until: string }
  | { status: "already"; jobId: string; until?: string; reply?: ReplyAddress };

export type WatchStopResult = { status: "stopping" | "removed" | "not-running"; jobId?: string };

export interface WatchControl {
  start(cluster: string, reply: ReplyAddress, durationMs: number, origin: WatchOrigin): Promise<WatchStartResult>;
  stop(cluster: string): Promise<WatchStopResult>;
}

export const MAX_WATCH_MS = 24 * 3600_000;
export const DEFAULT_WATCH_MS = 3600_000;

export function watchDedupeId(cluster: string): string {
  return `watch.${safeKeyPart(cluster)}`;
}

export class QueueWatchControl implements WatchControl {
  readonly queue: Queue<WatchJobData>;
  private readonly redis: RedisCommands;
  private readonly prefix: string;

  constructor(connection: RedisConnection, prefix: string) {
    this.redis = connection;
    this.prefix = prefix;
    this.queue = new Queue<WatchJobData>(QUEUES.watch.name, { connection, prefix });
  }

  async start(
    cluster: string,
    reply: ReplyAddress,
    durationMs: number,
    origin: WatchOrigin,
  ): Promise<WatchStartResult> {
    if (!Number.isFinite(durationMs) || durationMs <= 0 || durationMs > MAX_WATCH_MS) {
      throw new RangeError(`durationMs: expected 1 ms to ${MAX_WATCH_MS} ms (24 h), got ${durationMs}`);
    }
    const until = new Date(Date.now() + durationMs).toISOString();
    const jobId = randomUUID();
    const data: WatchJobData = { kind: "watch", cluster, reply, until, origin, requestedAt: new Date().toISOString() };
    // A stop aimed at an earlier watch must not end this one.
    await this.redis.del(watchKeys(this.prefix, cluster).stop);
    const job = await this.queue.add("watch", data, {
      ...QUEUES.watch.jobOptions,
      jobId,
      deduplication: { id: watchDedupeId(cluster) },
    });
    if (job.id === jobId) return { status: "started", jobId, until };
    const existing = job.id ? await Job.fromId<WatchJobData>(this.queue, job.id) : undefined;
    return { status: "already", jobId: job.id ?? "", until: existing?.data.until, reply: existing?.data.reply };
  }

  async stop(cluster: string): Promise<WatchStopResult> {
    const jobId = await this.queue.getDeduplicationJobId(watchDedupeId(cluster));
    const job = jobId ? await Job.fromId<WatchJobData>(this.queue, jobId) : undefined;
    if (!job) return { status: "not-running" };
    const state = await job.getState();
    if (state === "waiting" || state === "delayed" || state === "prioritized") {
      await job.remove();
      await this.queue.removeDeduplicationKey(watchDedupeId(cluster));
      return { status: "removed", jobId: job.id };
    }
    if (state !== "active") return { status: "not-running" };
    await this.redis.set(watchKeys(this.prefix, cluster).stop, job.id ?? "1", "EX", 24 * 3600);
    return { status: "stopping", jobId: job.id };
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

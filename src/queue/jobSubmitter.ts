// The producer side of the check queue: what the command handlers call to turn a request into a
// check, fleet check or verify job, and whether Redis takes adds (ready).
// The same check for the same cluster and target while one is queued or running is not queued
// again: BullMQ deduplication by id answers with the existing job, whose thread we point to.
//
// Adds go out on a connection of their own with ioredis auto-pipelining: a burst of slash
// commands (200 at once in bench/slack.ts) becomes a few socket writes instead of one write
// syscall per job, which was the largest single CPU cost of an ack. Only adds use it, so the
// shared connection's ordering (MULTI, blocking and admin commands elsewhere) is unchanged;
// each add still gets its own reply, error and commandTimeout.
//
// The add connection has no offline queue and does not resend unanswered commands after a
// reconnect: while Redis is down an add fails at once, and a command the user was told was not
// queued is never written later. A job that belongs to a chat request (Slack trigger_id, Discord
// interaction id) has a job id derived from it and runs only once its request key says so (see
// src/redis/requestGate.ts): a retried or replayed request finds the first instead of starting a
// second.
import { createHash, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Job, Queue } from "bullmq";
import type { ReplyAddress } from "../chat/types.ts";
import { NotQueuedError } from "../errors/notQueuedError.ts";
import { duplicateConnection, type RedisConnection } from "../redis/connection.ts";
import { type ChatRequest, RequestGate, type RequestState } from "../redis/requestGate.ts";
import { safeKeyPart } from "../redis/safeKeyPart.ts";
import {
  type CheckJobData,
  type CheckQueueJobData,
  checkJobId,
  type FleetJobData,
  type VerifyJobData,
  verifyJobId,
} from "./jobs.ts";
import { QUEUES } from "./queues.ts";

export type EnqueueResult =
  | { status: "queued"; jobId: string }
  | { status: "duplicate"; jobId: string; reply?: ReplyAddress }
  /** The same chat request came again (a replay or a retry): it was queued the first time. */
  | { status: "replayed"; jobId: string; reply?: ReplyAddress };

/** Job id of the job a chat request creates: the same request always names the same job. */
export function requestJobId(request: ChatRequest): string {
  return `req.${safeKeyPart(request.id)}`;
}

export interface JobSubmitterOptions {
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

/** How long a command waits for a connection that is still connecting before it is refused. */
const CONNECT_WAIT_MS = 1_000;

/** Adds check-queue jobs for chat requests, once each, and tells the caller what became of them. */
export class JobSubmitter {
  readonly check: Queue<CheckQueueJobData>;
  /** The same queue on the auto-pipelined connection: adds only. */
  private readonly adder: Queue<CheckQueueJobData>;
  private readonly addConnection: RedisConnection;
  private readonly jobOptions: typeof QUEUES.check.jobOptions;
  readonly requests: RequestGate;

  constructor(connection: RedisConnection, prefix: string, opts: JobSubmitterOptions = {}) {
    this.check = new Queue<CheckQueueJobData>(QUEUES.check.name, { connection, prefix });
    // Same options as the caller's connection (timeouts, retries, offline queue), plus pipelining.
    this.addConnection = duplicateConnection(connection, {
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
    });
    this.requests = new RequestGate(this.addConnection, prefix);
    // Its errors reach whoever listens on the caller's connection and queue (a Redis outage is
    // logged there); with no listener they are dropped here rather than crash the process.
    this.addConnection.on("error", (err: Error) => {
      if (connection.listenerCount("error") > 0) connection.emit("error", err);
    });
    this.adder = new Queue<CheckQueueJobData>(QUEUES.check.name, { connection: this.addConnection, prefix });
    this.adder.on("error", (err: Error) => {
      if (this.check.listenerCount("error") > 0) this.check.emit("error", err);
    });
    this.jobOptions = {
      ...QUEUES.check.jobOptions,
      backoff: { type: "exponential", delay: opts.backoffDelayMs ?? QUEUES.check.jobOptions.backoff.delay },
    } as typeof QUEUES.check.jobOptions;
  }

  async enqueueCheck(data: CheckJobData): Promise<EnqueueResult> {
    return this.enqueue("check", data, checkJobId(data.cluster, data.target));
  }

  /** One fleet job per target at a time; it opens the thread and fans out the flow itself. */
  async enqueueFleetCheck(data: Omit<CheckJobData, "cluster" | "kind">, clusters: string[]): Promise<EnqueueResult> {
    const fleet: FleetJobData = { ...data, kind: "fleet", clusters };
    // Deduplicated per set of clusters: with access rules, "all" differs from channel to channel,
    // and one channel's fleet run must not stand in for another's.
    return this.enqueue("fleet", fleet, checkJobId(`fleet-${clusterSetKey(clusters)}`, data.target));
  }

  private async enqueue(
    name: string,
    data: CheckJobData | FleetJobData | VerifyJobData,
    dedupId: string,
  ): Promise<EnqueueResult> {
    await this.connected();
    const request = data.request;
    if (request) {
      const earlier = await this.requests.find(request.id);
      if (earlier?.state === "accepted") return { ...(await this.duplicateOf(earlier.jobId)), status: "replayed" };
      if (earlier) throw new NotQueuedError("this request was already answered as not queued; run the command again");
    }
    const jobId = request ? requestJobId(request) : randomUUID();
    const job = await this.adder.add(name, data, { ...this.jobOptions, jobId, deduplication: { id: dedupId } });
    // A request is queued when its key says so; the worker runs nothing before that.
    if (request) {
      const id = job.id ?? jobId;
      let decided: RequestState;
      let unanswered = false;
      try {
        decided = await this.requests.accept(request, id);
      } catch {
        // No answer to the accept: it may have landed. Find out before telling the user anything
        // (Slack's ack may say "nothing was queued" meanwhile; a late "Queued" becomes a correction).
        unanswered = true;
        decided = await this.requests.resolveUnanswered(request, id);
      }
      if (decided.state === "abandoned") throw new NotQueuedError("the queue did not answer in time");
      // Decided before this call by someone else: a replay (or a retry) of the same request.
      if (decided.earlier && !(unanswered && decided.jobId === id))
        return { ...(await this.duplicateOf(decided.jobId)), status: "replayed" };
    }
    if (job.id === jobId) return { status: "queued", jobId };
    return this.duplicateOf(job.id);
  }

  /**
   * A command that arrives while the add connection is still connecting (just started, or
   * reconnecting) waits for it, briefly: with no offline queue it would otherwise fail at once.
   * The wait is bounded, and the request gate still decides whether it counts as queued.
   */
  private async connected(): Promise<void> {
    if (this.addConnection.status === "ready") return;
    await Promise.race([this.adder.waitUntilReady(), sleep(CONNECT_WAIT_MS, undefined, { ref: false })]).catch(
      () => undefined,
    );
  }

  /** A verify; the same cluster verified into the same channel or thread while one is queued is not queued twice. */
  async enqueueVerify(data: VerifyJobData): Promise<EnqueueResult> {
    return this.enqueue("verify", data, verifyJobId(data.cluster, data.reply.thread ?? data.reply.channel));
  }

  private async duplicateOf(id: string | undefined): Promise<EnqueueResult> {
    const existing = id ? await Job.fromId<CheckQueueJobData>(this.check, id) : undefined;
    return { status: "duplicate", jobId: id ?? "", reply: existing?.data.reply };
  }

  /**
   * Resolves once the add connection is connected. With no offline queue, an add sent before
   * that fails at once ("nothing was queued"); a caller that can wait (tests, start-up) waits here.
   */
  async ready(): Promise<void> {
    await this.adder.waitUntilReady();
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

// Job payloads on the Redis queues (one table of queues: queues.ts). Everything a worker needs to
// do the job and to answer in the right thread is in the job data, never in the memory of the bot
// that enqueued it.

import type { ReplyAddress, Requester } from "../chat/types.ts";
import type { ChatRequest } from "../redis/requestGate.ts";
import { safeKeyPart } from "../redis/safeKeyPart.ts";

export interface CheckJobData {
  kind: "check";
  /** kubeconfig context name. */
  cluster: string;
  /** "1.32" or "1.32.1"; undefined means the next minor of the server's version. */
  target?: string;
  requester: Requester;
  reply: ReplyAddress;
  /** ISO time the command was accepted. */
  requestedAt: string;
  /** Fleet runs (/upgrade-check all): the child posts into the fleet's thread, not a root of its own. */
  fleet?: boolean;
  /** The chat request that asked for it: the job runs only once that request was accepted (src/redis/requestGate.ts). */
  request?: ChatRequest;
}

/** `/upgrade-check all`: one job that opens the thread and fans out a flow of checks. */
export interface FleetJobData {
  kind: "fleet";
  clusters: string[];
  target?: string;
  requester: Requester;
  reply: ReplyAddress;
  requestedAt: string;
  /** Set once the flow of children was added, so a retried fleet job never adds it twice. */
  flowAdded?: boolean;
  request?: ChatRequest;
}

/** The parent of a fleet flow: runs when every child check finished (or failed), posts the table. */
export interface FleetSummaryJobData {
  kind: "fleet-summary";
  clusters: string[];
  target?: string;
  requester: Requester;
  reply: ReplyAddress;
  requestedAt: string;
}

/**
 * `/upgrade-verify`, or the end of a watch or an add-on cycle: compare the cluster with its last
 * baseline. Runs on the check queue (it is a preflight plus a comparison, with the same retries).
 */
export interface VerifyJobData {
  kind: "verify";
  cluster: string;
  /** Absent for automatic verifies (a watch or cycle ended). */
  requester?: Requester;
  /** With `thread` set, one summary is posted in that thread (a watch's, a cycle's) and no root. */
  reply: ReplyAddress;
  requestedAt: string;
  /** What asked for it: the command, or the end of a watch or cycle. */
  origin: "command" | "watch" | "cycle";
  /** The chat request that asked for it (commands only): runs only once accepted (src/redis/requestGate.ts). */
  request?: ChatRequest;
}

export type CheckQueueJobData = CheckJobData | FleetJobData | FleetSummaryJobData | VerifyJobData;

/** `/upgrade-status`: collect the cluster's state and post one message in the channel. */
export interface StatusJobData {
  kind: "status";
  cluster: string;
  requester: Requester;
  reply: ReplyAddress;
  requestedAt: string;
}

/** Job payloads of the cycle queue: plan an add-on cycle, or run an approved plan. */
export interface CyclePlanJobData {
  kind: "cycle-plan";
  cluster: string;
  /** Add-on names; empty means all. */
  addons: string[];
  dryRun: boolean;
  requester: Requester;
  reply: ReplyAddress;
  requestedAt: string;
  /** Rollback plans: the failed cycle whose backups to restore. */
  rollbackOf?: string;
}

export interface CycleRunJobData {
  kind: "cycle-run";
  planId: string;
  planHash: string;
  cluster: string;
  reply: ReplyAddress;
  requester: Requester;
  approvedBy: string[];
  /** Set once this run started a watch of its cluster, so a resumed run knows the watch is its own. */
  watchStarted?: boolean;
}

export type CycleJobData = CyclePlanJobData | CycleRunJobData;

/** Who started a watch: a command, or an add-on cycle (which then owns the watch). */
export interface WatchOrigin {
  by: "command" | "cycle";
  requester?: Requester;
  /** Cycle job id when an add-on cycle started the watch. */
  cycleId?: string;
}

/** `/upgrade-watch`, or the end of an add-on cycle's steps: watch a cluster until `until`. */
export interface WatchJobData {
  kind: "watch";
  cluster: string;
  reply: ReplyAddress;
  /** ISO time the watch ends by itself. */
  until: string;
  origin: WatchOrigin;
  requestedAt: string;
}

/** Job id that makes duplicates visible: one running check per cluster and target. */
export function checkJobId(cluster: string, target: string | undefined): string {
  // BullMQ ids must not contain ':'; contexts such as arn:aws:eks:... do.
  return `check.${safeKeyPart(cluster)}.${safeKeyPart(target ?? "next")}`;
}

/** One verify of a cluster per place it posts to at a time. */
export function verifyJobId(cluster: string, where: string): string {
  return `verify.${safeKeyPart(cluster)}.${safeKeyPart(where)}`;
}

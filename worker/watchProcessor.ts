// Runs one watch job: a root message in the channel, a WatchSession until the time limit or a
// stop request, then a summary of what it saw (counts by reason) in the root's thread. Everything
// needed to carry on lives in Redis (resourceVersions, timers, counts, dedupe keys, threads), so a
// worker that picks the job up after a stall continues where the dead one left off.

import type { KubeConfig } from "@kubernetes/client-node";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import type { PosterRegistry } from "../src/chat/posterRegistry.ts";
import type { ReplyAddress } from "../src/chat/types.ts";
import type { ClusterClient } from "../src/kube/clusterClient.ts";
import type { Logger } from "../src/log.ts";
import type { WatchJobData } from "../src/queue/jobs.ts";
import type { RedisCommands } from "../src/redis/commands.ts";
import {
  watchAlertTexts,
  watchEndedState,
  watchEndedSummary,
  watchRoot,
  watchStartedState,
} from "../src/render/watch.ts";
import { AlertSink } from "../src/watch/alertSink.ts";
import { WatchSession } from "../src/watch/session.ts";
import { WatchStateStore } from "../src/watch/stateStore.ts";
import type { RuleOptions } from "../src/watch/types.ts";
import { ALL_WATCHED } from "../src/watch/watchedResources.ts";
import { posterFor } from "./posting.ts";

export interface WatchProcessorDeps {
  clusters: { client(name: string): ClusterClient; kubeConfig(name: string): KubeConfig; has(name: string): boolean };
  posters: PosterRegistry;
  /** Redis for watch state (not the worker's blocking connection). */
  redis: RedisCommands;
  prefix: string;
  logger: Logger;
  ruleOptions?: Partial<RuleOptions>;
  /** Tuning for tests and the bench. */
  tuning?: {
    pollMs?: number;
    timeoutSeconds?: number;
    persistEveryMs?: number;
    floodWindowMs?: number;
    floodLimit?: number;
    docsBase?: string;
    claimMs?: number;
  };
  /** Each alert posted, by cluster and reason (metrics). */
  onAlertPosted?: (cluster: string, reason: string) => void;
  /**
   * At the end (stop or time limit), queues a verify of the cluster that posts its summary in the
   * watch's thread. Not for a watch an add-on cycle started: the cycle verifies in its own thread.
   */
  verifyAfter?: (cluster: string, reply: ReplyAddress) => Promise<void>;
  /** Hands the running session out (tests, bench). */
  onSession?: (session: WatchSession, sink: AlertSink) => void;
  /**
   * UPSHIFT_HELM_NAMESPACES: Secrets are granted per namespace, and a watch of Helm releases is
   * one cluster-wide stream, so it is left out and the root message says so.
   */
  helmNamespaces?: readonly string[];
}

export interface WatchJobResult {
  ended: "time-limit" | "stopped";
  counts: Record<string, number>;
}

export function createWatchProcessor(deps: WatchProcessorDeps) {
  return async function processWatch(
    job: Job<WatchJobData>,
    token?: string,
    signal?: AbortSignal,
  ): Promise<WatchJobResult> {
    const data = job.data;
    const log = deps.logger.child({ job: job.id, cluster: data.cluster, attempt: job.attemptsMade + 1 });
    const poster = posterFor(deps.posters, data.reply);
    if (!deps.clusters.has(data.cluster)) throw new UnrecoverableError(`unknown cluster context "${data.cluster}"`);
    const until = Date.parse(data.until);
    if (!Number.isFinite(until)) throw new UnrecoverableError(`until: expected an ISO time, got "${data.until}"`);

    const headline = (state: string) => watchRoot(data, state, poster.traits);
    if (!data.reply.rootMessage) {
      const root = await poster.postRoot(data.reply.channel, headline(watchStartedState(deps.helmNamespaces)));
      await job.updateData({ ...job.data, reply: { ...data.reply, rootMessage: root.id, thread: root.thread } });
    } else log.info("carrying on a watch another worker started");

    const state = new WatchStateStore(deps.redis, deps.prefix, data.cluster, job.id ?? data.cluster);
    const t = deps.tuning ?? {};
    const sink = new AlertSink({
      redis: deps.redis,
      prefix: deps.prefix,
      cluster: data.cluster,
      poster,
      channel: data.reply.channel,
      threadsKey: state.threadsKey,
      countsKey: state.countsKey,
      floodLimit: t.floodLimit,
      floodWindowMs: t.floodWindowMs,
      texts: watchAlertTexts(data.cluster, t.docsBase),
      claimMs: t.claimMs,
      logger: log,
      onPosted: deps.onAlertPosted ? (draft) => deps.onAlertPosted?.(data.cluster, draft.reason) : undefined,
    });
    const session = new WatchSession({
      cluster: data.cluster,
      client: deps.clusters.client(data.cluster),
      kubeConfig: deps.clusters.kubeConfig(data.cluster),
      state,
      sink,
      ruleOptions: deps.ruleOptions,
      ...(deps.helmNamespaces ? { resources: ALL_WATCHED.filter((k) => k !== "helmReleases") } : {}),
      timeoutSeconds: t.timeoutSeconds,
      persistEveryMs: t.persistEveryMs,
      logger: log,
    });
    await session.start();
    deps.onSession?.(session, sink);

    let ended: WatchJobResult["ended"] = "time-limit";
    try {
      while (Date.now() < until) {
        if (signal?.aborted) {
          // The worker is shutting down (SIGTERM): hand the watch back to the queue at once,
          // without spending one of its attempts, so another worker carries on from the stored
          // resourceVersions.
          if (token) {
            await job.moveToDelayed(Date.now(), token);
            throw new DelayedError("worker is closing; the watch was handed back to the queue");
          }
          throw new Error("worker is closing; the watch will be taken over");
        }
        if (await state.takeStopRequest()) {
          ended = "stopped";
          break;
        }
        await new Promise((r) => setTimeout(r, Math.min(t.pollMs ?? 1_000, Math.max(0, until - Date.now()))));
      }
    } finally {
      await session.stop();
    }

    const counts = await state.counts();
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const summary = watchEndedSummary(data.cluster, ended, counts);
    const reply = job.data.reply;
    if (reply.thread) await poster.postInThread({ channel: reply.channel, thread: reply.thread }, { text: summary });
    if (reply.rootMessage) await poster.update(reply.channel, reply.rootMessage, headline(watchEndedState(total)));
    await state.clear();
    if (deps.verifyAfter && reply.thread && data.origin.by !== "cycle")
      await deps
        .verifyAfter(data.cluster, reply)
        .catch((err) => log.warn({ err }, "could not queue the verify after the watch"));
    log.info({ ended, counts }, "watch ended");
    return { ended, counts };
  };
}

// Where the counters deploy/README.md lists move: chat API errors and rate-limit waits at the
// posters, approval decisions where reactions are counted and plans expire, alerts where a
// watch posts one. Kept here, where processes are wired, so the core never learns about
// Prometheus and the adapters never learn about metrics.
import { type REST, RESTEvents } from "@discordjs/rest";
import type { WebClient } from "@slack/web-api";
import { WebClientEvent } from "@slack/web-api";
import type { ApprovalEngine, ReactionOutcome } from "../src/approvals/approvalEngine.ts";
import type { ChatPoster } from "../src/chat/types.ts";
import type { Logger } from "../src/log.ts";
import type { ApprovalDecision, Metrics } from "../src/metrics/metrics.ts";

/**
 * The poster, with every failed call counted in upshift_chat_api_errors_total{platform,method}.
 * `method` is the Slack Web API method when the error names one (chat.postMessage), otherwise
 * the posting operation (postRoot, postInThread, update, react, findPosted). A Proxy, so methods
 * a platform adds later are counted too.
 */
export function countingApiErrors<P extends ChatPoster>(poster: P, metrics: Metrics): P {
  return new Proxy(poster, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return (...args: unknown[]) => {
        const count = (err: unknown) => {
          const named = (err as { method?: unknown } | undefined)?.method;
          const method = target.platform === "slack" && typeof named === "string" ? named : prop;
          metrics.chatApiErrorsTotal.inc({ platform: target.platform, method });
          throw err;
        };
        try {
          const result = value.apply(target, args);
          return result instanceof Promise ? result.catch(count) : result;
        } catch (err) {
          return count(err);
        }
      };
    },
  });
}

/** Counts the waits each platform's client makes on a 429 (the clients wait and retry themselves). */
export function countRateLimitWaits(metrics: Metrics, clients: { slack?: WebClient; discord?: REST }): void {
  clients.slack?.on(WebClientEvent.RATE_LIMITED, (retrySeconds: number) => {
    metrics.chatRateLimitWaitsTotal.inc({ platform: "slack" });
    metrics.chatRateLimitWaitSecondsTotal.inc({ platform: "slack" }, Number(retrySeconds) || 0);
  });
  clients.discord?.on(RESTEvents.RateLimited, (info) => {
    metrics.chatRateLimitWaitsTotal.inc({ platform: "discord" });
    // discord.js waits timeToReset (ms) before it sends the request again.
    metrics.chatRateLimitWaitSecondsTotal.inc({ platform: "discord" }, Math.max(0, info.timeToReset) / 1000);
  });
}

/** The decision a reaction's outcome is, for upshift_approvals_total; votes on the way are none. */
export function approvalDecisionOf(outcome: ReactionOutcome): ApprovalDecision | undefined {
  switch (outcome) {
    case "approved":
      return "approved";
    case "cancelled":
      return "rejected";
    case "expired":
      return "expired";
    case "not-approver":
    case "self-approval":
      return "refused";
    default:
      return undefined;
  }
}

/** Counts one reaction's decision, if it was one. */
export function countApprovalOutcome(metrics: Metrics, outcome: ReactionOutcome): void {
  const decision = approvalDecisionOf(outcome);
  if (decision) metrics.approvalsTotal.inc({ decision });
}

/** ApprovalEngine.startSweeper, with each plan it expires counted; returns the stop function. */
export function startCountingSweeper(
  approvals: Pick<ApprovalEngine, "sweep">,
  metrics: Metrics,
  logger: Logger,
  intervalMs = 15_000,
): () => void {
  const timer = setInterval(() => {
    approvals
      .sweep()
      .then(({ expired }) => {
        if (expired.length) metrics.approvalsTotal.inc({ decision: "expired" }, expired.length);
      })
      .catch((err) => logger.warn({ err }, "approval sweep failed"));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** For startWorkers' onAlertPosted: one alert a watch posted, by cluster and reason. */
export function alertCounter(metrics: Metrics): (cluster: string, reason: string) => void {
  return (cluster, reason) => metrics.alertsSentTotal.inc({ cluster, reason });
}

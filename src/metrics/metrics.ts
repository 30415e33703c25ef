// Upshift's Prometheus metrics. One registry per process, created here and passed around (never
// prom-client's global one), so tests and several servers in one process never share counters.
// Queue depth is not counted by Upshift: it is read from Redis (BullMQ getJobCounts) on each
// scrape, so every bot and worker replica reports the same truth instead of its own guess.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { withTimeout } from "../async/withTimeout.ts";

/** The part of a BullMQ Queue the depth gauge needs; a real `Queue` satisfies it. */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

/** BullMQ states reported by upshift_queue_depth. */
export const QUEUE_STATES = [
  "waiting",
  "active",
  "delayed",
  "prioritized",
  "waiting-children",
  "failed",
  "completed",
  "paused",
] as const;

export type JobOutcome = "completed" | "failed" | "retried" | "refused";
export type ApprovalDecision = "approved" | "rejected" | "expired" | "refused";

export interface Metrics {
  readonly registry: Registry;
  /** Jobs finished by a worker, by the job's kind (check, fleet, verify, watch, cycle, …) and outcome. */
  readonly jobsTotal: Counter<"type" | "outcome">;
  readonly jobDurationSeconds: Histogram<"type">;
  /** Read from Redis on scrape; see setQueues. */
  readonly queueDepth: Gauge<"queue" | "state">;
  /** Scrapes whose queue-depth read failed (Redis down or slow); the depth series are then absent. */
  readonly queueDepthErrorsTotal: Counter<"queue">;
  readonly findingsTotal: Counter<"check" | "severity">;
  readonly alertsSentTotal: Counter<"cluster" | "reason">;
  readonly approvalsTotal: Counter<"decision">;
  readonly chatApiErrorsTotal: Counter<"platform" | "method">;
  readonly chatRateLimitWaitsTotal: Counter<"platform">;
  readonly chatRateLimitWaitSecondsTotal: Counter<"platform">;
  /** Queues whose depth is read on scrape; replaces the previous set. */
  setQueues(queues: readonly CountableQueue[]): void;
}

export interface CreateMetricsOptions {
  queues?: readonly CountableQueue[];
  /** Process metrics (CPU, memory, event loop lag, GC); default true. */
  defaultMetrics?: boolean;
  /** Upper bound for one queue's getJobCounts during a scrape; default 2000 ms. */
  queueCountTimeoutMs?: number;
}

// Checks take seconds to a couple of minutes on big clusters; cycles wait for rollouts (minutes).
const JOB_DURATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export function createMetrics(opts: CreateMetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const timeoutMs = opts.queueCountTimeoutMs ?? 2000;
  let queues: readonly CountableQueue[] = opts.queues ?? [];

  const queueDepthErrorsTotal = new Counter({
    name: "upshift_queue_depth_errors_total",
    help: "Scrapes that could not read a queue's job counts from Redis",
    labelNames: ["queue"] as const,
    // Registered after queueDepth below, and waits for the depth read of the same scrape: the
    // registry collects all metrics concurrently, and this counter moves during that read.
    registers: [],
    async collect() {
      await depthRead;
    },
  });
  let depthRead: Promise<void> = Promise.resolve();

  const queueDepth = new Gauge({
    name: "upshift_queue_depth",
    help: "Jobs in each BullMQ queue by state, read from Redis at scrape time",
    labelNames: ["queue", "state"] as const,
    registers,
    async collect() {
      // Reset first: a queue that cannot be read must not keep reporting its last depth as current.
      this.reset();
      depthRead = readDepths(this);
      await depthRead;
    },
  });
  registry.registerMetric(queueDepthErrorsTotal);

  async function readDepths(gauge: Gauge<"queue" | "state">): Promise<void> {
    await Promise.all(
      queues.map(async (q) => {
        try {
          const counts = await withTimeout(
            q.getJobCounts(...QUEUE_STATES),
            timeoutMs,
            `getJobCounts(${q.name}) timed out after ${timeoutMs} ms`,
          );
          for (const state of QUEUE_STATES) gauge.set({ queue: q.name, state }, counts[state] ?? 0);
        } catch {
          queueDepthErrorsTotal.inc({ queue: q.name });
        }
      }),
    );
  }

  return {
    registry,
    jobsTotal: new Counter({
      name: "upshift_jobs_total",
      help: "Jobs finished by workers, by type and outcome",
      labelNames: ["type", "outcome"] as const,
      registers,
    }),
    jobDurationSeconds: new Histogram({
      name: "upshift_job_duration_seconds",
      help: "Time from a worker taking a job to finishing it",
      labelNames: ["type"] as const,
      buckets: JOB_DURATION_BUCKETS,
      registers,
    }),
    queueDepth,
    queueDepthErrorsTotal,
    findingsTotal: new Counter({
      name: "upshift_findings_total",
      help: "Findings reported by preflight checks, by check id and severity",
      labelNames: ["check", "severity"] as const,
      registers,
    }),
    alertsSentTotal: new Counter({
      name: "upshift_alerts_sent_total",
      help: "Alerts posted by watches, by cluster and reason",
      labelNames: ["cluster", "reason"] as const,
      registers,
    }),
    approvalsTotal: new Counter({
      name: "upshift_approvals_total",
      help: "Approval requests resolved, by decision",
      labelNames: ["decision"] as const,
      registers,
    }),
    chatApiErrorsTotal: new Counter({
      name: "upshift_chat_api_errors_total",
      help: "Failed chat platform API calls, by platform and API method",
      labelNames: ["platform", "method"] as const,
      registers,
    }),
    chatRateLimitWaitsTotal: new Counter({
      name: "upshift_chat_rate_limit_waits_total",
      help: "Times a chat API call waited because the platform rate-limited it",
      labelNames: ["platform"] as const,
      registers,
    }),
    chatRateLimitWaitSecondsTotal: new Counter({
      name: "upshift_chat_rate_limit_wait_seconds_total",
      help: "Seconds spent waiting on chat platform rate limits",
      labelNames: ["platform"] as const,
      registers,
    }),
    setQueues(next) {
      queues = [...next];
    },
  };
}

/** Times a job and counts its outcome; returns the function's result or rethrows its error. */
export async function observeJob<T>(metrics: Metrics, type: string, run: () => Promise<T>): Promise<T> {
  const end = metrics.jobDurationSeconds.startTimer({ type });
  try {
    const result = await run();
    metrics.jobsTotal.inc({ type, outcome: "completed" });
    return result;
  } catch (err) {
    metrics.jobsTotal.inc({ type, outcome: "failed" });
    throw err;
  } finally {
    end();
  }
}

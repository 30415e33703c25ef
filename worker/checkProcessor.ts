// Processes one check job: post the root message, read the cluster, post findings into the
// thread, edit the root with the verdict. Progress (root message id, replies posted) is written
// back into the job's data in Redis after every post, so a worker that dies mid-job is replaced
// by one that continues in the same thread without posting a reply twice. A worker can also die
// between a post and that write; every post therefore has a key and an in-flight marker (see
// postOnce), so the replacement finds or re-sends that one post instead of duplicating it.
//
// The root is posted before the cluster is asked anything ("checking…"), so a cluster that never
// answers is visible at once, and the whole check (every attempt together, not only each
// request) is bounded by a deadline; when it passes, the thread names the calls that hung.
import { type Job, UnrecoverableError } from "bullmq";
import type { PosterRegistry } from "../src/chat/posterRegistry.ts";
import type { Tone } from "../src/chat/richMessage.ts";
import type { ChatMessage, ChatPoster, Platform } from "../src/chat/types.ts";
import { type CheckReport, runPreflight } from "../src/checks/preflight.ts";
import type { Check } from "../src/checks/types.ts";
import { ignoreRulesFor } from "../src/config/load.ts";
import type { FileConfig } from "../src/config/schema.ts";
import { CheckDeadlineError } from "../src/errors/checkDeadlineError.ts";
import { ClusterAccessError } from "../src/errors/clusterAccessError.ts";
import { InvalidTargetError } from "../src/errors/invalidTargetError.ts";
import type { ClusterClient } from "../src/kube/clusterClient.ts";
import type { KubeObject, ResourceKey } from "../src/kube/resources.ts";
import type { Logger } from "../src/log.ts";
import type { CheckJobData } from "../src/queue/jobs.ts";
import {
  CHECK_CHECKING,
  checkFailureNote,
  checkRunningState,
  couldNotCheckState,
  fleetChildLine,
  reportMessages,
  structuredHeadline,
  verdictState,
  verdictTone,
  withReportStructure,
} from "../src/render/checks.ts";
import type { LastCheckStore } from "../src/status/lastCheckStore.ts";
import { BASELINE_READS, buildBaseline } from "../src/verify/baseline.ts";
import type { BaselineStore } from "../src/verify/baselineStore.ts";
import { ensureRoot, type PostProgress, posterFor, postOnce, threadOf } from "./posting.ts";

/** Job data as the worker keeps it: the request plus progress written back after each post. */
export interface CheckJobProgress extends CheckJobData, PostProgress {
  serverVersion?: string;
  resolvedTarget?: string;
  /** Thread replies already posted (a retried job skips them). */
  posted?: number;
  /** Epoch ms the first attempt started: the deadline counts from here across retries. */
  startedAt?: number;
}

/** UPSHIFT_CHECK_DEADLINE_SECONDS' default: a check that has not read its cluster by then is reported as hung. */
export const DEFAULT_CHECK_DEADLINE_MS = 60_000;

export interface CheckProcessorDeps {
  clusters: { client(name: string): ClusterClient; has(name: string): boolean };
  checks: readonly Check[];
  posters: PosterRegistry;
  file: FileConfig;
  lastChecks?: LastCheckStore;
  logger: Logger;
  /** Parsed MicroK8s status for the one cluster this worker runs on, if any (ADD-01). */
  microk8sStatus?: (cluster: string) => (() => Promise<unknown>) | undefined;
  /** Called with every finished report (metrics: findings by check and severity). */
  onReport?: (report: CheckReport) => void;
  /** Message size for the platform (Discord: 2,000 characters). */
  maxChars?: (platform: Platform) => number;
  /** The whole check's deadline, all attempts together (UPSHIFT_CHECK_DEADLINE_SECONDS). */
  checkDeadlineMs?: number;
  /** UPSHIFT_HELM_NAMESPACES: Helm release Secrets are read only there. */
  helmNamespaces?: readonly string[];
  /** Where each check keeps the cluster's baseline for /upgrade-verify (none: no baselines kept). */
  baselines?: BaselineStore;
  /** UPSHIFT_DOCS_URL: findings link to their check's documentation. */
  docsUrl?: string;
}

export interface CheckJobResult {
  cluster: string;
  serverVersion: string;
  target: string;
  verdict: CheckReport["verdict"];
  counts: CheckReport["counts"];
  findings: number;
  durationMs: number;
}

export function createCheckProcessor(deps: CheckProcessorDeps) {
  return async function processCheck(job: Job<CheckJobProgress>): Promise<CheckJobResult> {
    const data = job.data;
    const log = deps.logger.child({ job: job.id, cluster: data.cluster, attempt: job.attemptsMade + 1 });
    const poster = posterFor(deps.posters, data.reply);

    const who = poster.traits.mention(data.requester);
    const head = (state: string, tone?: Tone) =>
      structuredHeadline(
        {
          cluster: data.cluster,
          serverVersion: job.data.serverVersion,
          target: job.data.resolvedTarget ?? data.target,
          requester: who,
          requestedAt: data.requestedAt,
        },
        state,
        tone,
      );

    const deadlineMs = deps.checkDeadlineMs ?? DEFAULT_CHECK_DEADLINE_MS;
    let deadlineAt = (job.data.startedAt ?? Date.now()) + deadlineMs;
    try {
      if (!deps.clusters.has(data.cluster)) throw new UnrecoverableError(`unknown cluster context "${data.cluster}"`);
      // Seen at once, before the first request to a cluster that may never answer.
      if (!data.fleet && !job.data.reply.rootMessage)
        await ensureRoot(job, poster, head(CHECK_CHECKING), `${job.id}:root`);
      if (job.data.startedAt === undefined) await job.updateData({ ...job.data, startedAt: Date.now() });
      deadlineAt = job.data.startedAt! + deadlineMs;
      const deadline = { signal: AbortSignal.timeout(Math.max(0, deadlineAt - Date.now())), ms: deadlineMs };
      // The baseline comes from the lists this run reads anyway (src/verify/baseline.ts).
      let lists: Map<ResourceKey, KubeObject[]> | undefined;
      const report = await runPreflight(deps.clusters.client(data.cluster).withDeadline(deadline), {
        checks: deps.checks,
        extraReads: deps.baselines ? BASELINE_READS : undefined,
        onSnapshot: (read) => {
          lists = read;
        },
        target: data.target,
        ignoreRules: ignoreRulesFor(deps.file, data.cluster),
        helmNamespaces: deps.helmNamespaces,
        microk8sStatus: deps.microk8sStatus?.(data.cluster),
        onStart: async ({ serverVersion, targetFull }) => {
          // The headline names the version asked for: ten checks of one cluster for 1.32.0…1.32.9
          // must be told apart in the channel.
          await job.updateData({ ...job.data, serverVersion, resolvedTarget: targetFull });
          // A fleet child posts into the fleet's thread; the fleet summary edits the root.
          if (!data.fleet)
            await ensureRoot(job, poster, head(checkRunningState(job.attemptsMade > 0)), `${job.id}:root`);
        },
      });
      log.info({ verdict: report.verdict, findings: report.findings.length, ms: report.durationMs }, "check finished");
      deps.onReport?.(report);

      const messages = withReportStructure(
        reportMessages(report, { maxChars: deps.maxChars?.(data.reply.platform), docsUrl: deps.docsUrl }),
        report,
      );
      if (data.fleet) messages.unshift(fleetChildLine(report));
      const address = threadOf(job.data.reply);
      for (let i = job.data.posted ?? 0; i < messages.length; i++) {
        const key = `${job.id}:reply:${i}`;
        await postOnce(job, poster, address, key, async () => ({
          id: await poster.postInThread(address, messages[i], { key }),
          thread: address.thread,
        }));
        // The count and the cleared marker in one write: a retry resumes at the next reply, and
        // there is no state in which neither says whether reply i was sent.
        await job.updateData({ ...job.data, posted: i + 1, inFlight: undefined });
      }
      if (!data.fleet)
        await poster.update(
          address.channel,
          job.data.reply.rootMessage!,
          head(verdictState(report), verdictTone(report)),
        );
      await deps.lastChecks?.save({
        cluster: report.cluster,
        target: report.target,
        serverVersion: report.serverVersion,
        verdict: report.verdict,
        counts: report.counts,
        checkedAt: report.checkedAt,
      });
      if (deps.baselines && lists)
        await deps.baselines
          .save(buildBaseline(lists, report))
          .catch((err) => log.warn({ err }, "could not keep the baseline"));
      return {
        cluster: report.cluster,
        serverVersion: report.serverVersion,
        target: report.target,
        verdict: report.verdict,
        counts: report.counts,
        findings: report.findings.length,
        durationMs: report.durationMs,
      };
    } catch (err) {
      const final = toFinalError(err, job, deadlineAt);
      if (final) {
        log.warn({ err: final }, "check failed");
        await reportFailure(job, poster, head, final.message).catch((e) =>
          log.error({ err: e }, "could not post the failure"),
        );
        throw final;
      }
      log.info({ err }, "transient failure; BullMQ will retry with backoff");
      throw err;
    }
  };
}

/** An error that ends the job: permission problems, bad targets, the deadline, or the last attempt. */
function toFinalError(err: unknown, job: Job, deadlineAt: number): Error | undefined {
  if (err instanceof UnrecoverableError) return err;
  if (err instanceof InvalidTargetError || err instanceof CheckDeadlineError)
    return new UnrecoverableError(err.message);
  if (err instanceof ClusterAccessError && !err.transient) return new UnrecoverableError(err.message);
  const attempts = job.opts.attempts ?? 1;
  if (job.attemptsMade + 1 >= attempts) return err as Error;
  // The next attempt would start after the deadline: say so now rather than wait for it.
  const backoff = job.opts.backoff;
  const delay = typeof backoff === "number" ? backoff : (backoff?.delay ?? 0);
  const nextDelay =
    typeof backoff === "object" && backoff.type === "exponential" ? delay * 2 ** job.attemptsMade : delay;
  if (Date.now() + nextDelay >= deadlineAt)
    return new UnrecoverableError(`${(err as Error).message}; the check's deadline leaves no time for another attempt`);
  return undefined;
}

async function reportFailure(
  job: Job<CheckJobProgress>,
  poster: ChatPoster,
  head: (s: string, tone?: Tone) => ChatMessage,
  reason: string,
) {
  const state = couldNotCheckState(reason);
  const key = `${job.id}:failure`;
  // The failure note is keyed too: a worker that dies after posting it leaves the job to be retried.
  const postNote = async (text: string) => {
    const address = threadOf(job.data.reply);
    await postOnce(job, poster, address, key, async () => ({
      id: await poster.postInThread(address, { text }, { key }),
      thread: address.thread,
    }));
    await job.updateData({ ...job.data, inFlight: undefined });
  };
  if (job.data.fleet) {
    // The fleet summary lists this cluster as "could not check"; say why in the thread now.
    await postNote(checkFailureNote(reason, job.data.cluster));
    return;
  }
  await ensureRoot(job, poster, head(state, "danger"), `${job.id}:root`);
  await postNote(checkFailureNote(reason));
}

// Processes one verify job: read the cluster (a full preflight, which also yields the cluster as
// it is now), compare it with the cluster's last baseline, and post. From a command: a root
// whose headline becomes the verdict, the comparison threaded under it. From the end of a watch
// or an add-on cycle: one summary in that thread. Posts are keyed (postOnce) like a check's, so
// a retried or taken-over job never posts twice.
import { type Job, UnrecoverableError } from "bullmq";
import type { PosterRegistry } from "../src/chat/posterRegistry.ts";
import type { ChatMessage, Platform } from "../src/chat/types.ts";
import type { Check } from "../src/checks/types.ts";
import { ignoreRulesFor } from "../src/config/load.ts";
import type { FileConfig } from "../src/config/schema.ts";
import { CheckDeadlineError } from "../src/errors/checkDeadlineError.ts";
import { ClusterAccessError } from "../src/errors/clusterAccessError.ts";
import { InvalidTargetError } from "../src/errors/invalidTargetError.ts";
import type { ClusterClient } from "../src/kube/clusterClient.ts";
import type { Logger } from "../src/log.ts";
import type { VerifyJobData } from "../src/queue/jobs.ts";
import {
  couldNotVerifyState,
  NO_BASELINE_STATE,
  noBaselineMessage,
  verifyFailureNote,
  verifyHeadline,
  verifyingState,
  verifyMessages,
  verifyState,
  verifySummary,
} from "../src/render/verify.ts";
import type { BaselineStore } from "../src/verify/baselineStore.ts";
import type { VerifyVerdict } from "../src/verify/diff.ts";
import { runVerify } from "../src/verify/verify.ts";
import { DEFAULT_CHECK_DEADLINE_MS } from "./checkProcessor.ts";
import { ensureRoot, type PostProgress, posterFor, postOnce, threadOf } from "./posting.ts";

export interface VerifyJobProgress extends VerifyJobData, PostProgress {
  serverVersions?: { before?: string; now?: string };
  /** Thread replies already posted (a retried job skips them). */
  posted?: number;
  /** Epoch ms the first attempt started: the deadline counts from here across retries, as a check's. */
  startedAt?: number;
}

export interface VerifyProcessorDeps {
  clusters: { client(name: string): ClusterClient; has(name: string): boolean };
  checks: readonly Check[];
  posters: PosterRegistry;
  file: FileConfig;
  baselines: BaselineStore;
  logger: Logger;
  microk8sStatus?: (cluster: string) => (() => Promise<unknown>) | undefined;
  maxChars?: (platform: Platform) => number;
  /** The whole verify's deadline, all attempts together (UPSHIFT_CHECK_DEADLINE_SECONDS, as checks). */
  checkDeadlineMs?: number;
  /** UPSHIFT_HELM_NAMESPACES: Helm release Secrets are read only there. */
  helmNamespaces?: readonly string[];
}

export interface VerifyJobResult {
  cluster: string;
  /** "no-baseline" when there was nothing to compare with. */
  verdict: VerifyVerdict | "no-baseline";
  worse: number;
  left: number;
}

export function createVerifyProcessor(deps: VerifyProcessorDeps) {
  return async function processVerify(job: Job<VerifyJobProgress>): Promise<VerifyJobResult> {
    const data = job.data;
    const log = deps.logger.child({ job: job.id, cluster: data.cluster, attempt: job.attemptsMade + 1 });
    const poster = posterFor(deps.posters, data.reply);
    // Automatic verifies post one message in an existing thread; commands open their own.
    const inThread = data.origin !== "command" && data.reply.thread !== undefined;
    const who = data.requester ? poster.traits.mention(data.requester) : undefined;
    const head = (state: string) =>
      verifyHeadline({ cluster: data.cluster, serverVersions: job.data.serverVersions, requester: who }, state);
    const maxChars = deps.maxChars?.(data.reply.platform);

    /** Posts `messages` into the thread from where an earlier attempt stopped. */
    const postReplies = async (messages: ChatMessage[]) => {
      const address = threadOf(job.data.reply);
      for (let i = job.data.posted ?? 0; i < messages.length; i++) {
        const key = `${job.id}:reply:${i}`;
        await postOnce(job, poster, address, key, async () => ({
          id: await poster.postInThread(address, messages[i], { key }),
          thread: address.thread,
        }));
        await job.updateData({ ...job.data, posted: i + 1, inFlight: undefined });
      }
    };

    const deadlineMs = deps.checkDeadlineMs ?? DEFAULT_CHECK_DEADLINE_MS;
    try {
      if (!deps.clusters.has(data.cluster)) throw new UnrecoverableError(`unknown cluster context "${data.cluster}"`);
      // Seen at once, before the first request to a cluster that may never answer.
      if (!inThread) await ensureRoot(job, poster, head(verifyingState(job.attemptsMade > 0)), `${job.id}:root`);
      if (job.data.startedAt === undefined) await job.updateData({ ...job.data, startedAt: Date.now() });
      const deadlineAt = job.data.startedAt! + deadlineMs;
      const deadline = { signal: AbortSignal.timeout(Math.max(0, deadlineAt - Date.now())), ms: deadlineMs };
      const stored = await deps.baselines.get(data.cluster);
      if (!stored?.ok) {
        await postReplies([noBaselineMessage(data.cluster, stored && !stored.ok ? stored.error : undefined, inThread)]);
        if (!inThread) await poster.update(data.reply.channel, job.data.reply.rootMessage!, head(NO_BASELINE_STATE));
        log.info("no baseline to verify against");
        return { cluster: data.cluster, verdict: "no-baseline", worse: 0, left: 0 };
      }
      const { result } = await runVerify(deps.clusters.client(data.cluster).withDeadline(deadline), stored.baseline, {
        checks: deps.checks,
        ignoreRules: ignoreRulesFor(deps.file, data.cluster),
        helmNamespaces: deps.helmNamespaces,
        microk8sStatus: deps.microk8sStatus?.(data.cluster),
      });
      await job.updateData({
        ...job.data,
        serverVersions: { before: result.baseline.serverVersion, now: result.now.serverVersion },
      });
      log.info({ verdict: result.verdict, worse: result.worse.length, left: result.left.length }, "verify finished");
      if (inThread) await postReplies([verifySummary(result, { maxChars })]);
      else {
        await postReplies(verifyMessages(result, { maxChars }));
        await poster.update(data.reply.channel, job.data.reply.rootMessage!, head(verifyState(result)));
      }
      return { cluster: data.cluster, verdict: result.verdict, worse: result.worse.length, left: result.left.length };
    } catch (err) {
      const final =
        err instanceof UnrecoverableError
          ? err
          : err instanceof InvalidTargetError ||
              err instanceof CheckDeadlineError ||
              (err instanceof ClusterAccessError && !err.transient)
            ? new UnrecoverableError((err as Error).message)
            : job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
              ? (err as Error)
              : undefined;
      if (!final) {
        log.info({ err }, "transient failure; BullMQ will retry with backoff");
        throw err;
      }
      log.warn({ err: final }, "verify failed");
      // An incomplete verify says so where it would have posted; the headline says incomplete.
      const note = verifyFailureNote(data.cluster, final.message);
      try {
        if (!inThread) await ensureRoot(job, poster, head(couldNotVerifyState(final.message)), `${job.id}:root`);
        const address = threadOf(job.data.reply);
        const key = `${job.id}:failure`;
        await postOnce(job, poster, address, key, async () => ({
          id: await poster.postInThread(address, { text: note }, { key }),
          thread: address.thread,
        }));
        await job.updateData({ ...job.data, inFlight: undefined });
      } catch (e) {
        log.error({ err: e }, "could not post the failure");
      }
      throw final;
    }
  };
}

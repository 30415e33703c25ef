// Processes cycle jobs. "cycle-plan": read the add-ons, order them, post the plan in a thread
// and ask for approval (or only post it, for --dry-run). "cycle-run": run an approved plan
// through the CycleEngine, posting each step's result in the thread; on failure, alert the
// channel and offer a rollback plan that needs its own approval. A run job handed on after a
// worker died resumes from the step journal (see src/cycles/cycleEngine.ts for the rule).
import { type Job, UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ApprovalEngine } from "../src/approvals/approvalEngine.ts";
import type { PosterRegistry } from "../src/chat/posterRegistry.ts";
import type { ChatPoster, ReplyAddress } from "../src/chat/types.ts";
import type { FileConfig } from "../src/config/schema.ts";
import {
  ClusterBusyError,
  CycleEngine,
  type CycleEvent,
  type CycleResult,
  rollbackPlanFor,
} from "../src/cycles/cycleEngine.ts";
import { trimOutput } from "../src/cycles/drivers/exec.ts";
import { cycleKeys } from "../src/cycles/keys.ts";
import { buildPlan, nothingToDo, planHash } from "../src/cycles/plan.ts";
import { type CycleRootState, cycleRootMessage } from "../src/cycles/rootMessage.ts";
import type { CycleJobData, CyclePlan, CyclePlanJobData, CycleRunJobData, DriverSet } from "../src/cycles/types.ts";
import type { WatchControl } from "../src/watch/control.ts";
import { ensureRoot } from "./posting.ts";

export interface CycleProcessorDeps {
  redis: Redis;
  prefix: string;
  posters: PosterRegistry;
  file: FileConfig;
  approvals: ApprovalEngine;
  /** Drivers for a cluster; throws for an unknown one. */
  drivers(cluster: string): DriverSet;
  backupDir?: string;
  leaseMs?: number;
  lockTtlMs?: number;
  logger: Logger;
  /** Starts a channel watch for the cluster while a cycle runs (and stops it after), when given. */
  watch?: WatchControl;
  /** At the end of an add-on cycle (done or failed), queues a verify that posts in the cycle's thread. */
  verifyAfter?: (cluster: string, reply: ReplyAddress) => Promise<void>;
}

/** Long enough for any cycle; the watch is stopped when the cycle ends anyway. */
const CYCLE_WATCH_MS = 6 * 3600_000;

export type CycleJobResult =
  | { planId: string; hash: string }
  | { status: "nothing-to-do"; planId: string }
  | CycleResult
  | { status: "superseded"; newPlanId: string };

const OUTPUT_IN_THREAD = 1_500;

export function createCycleProcessor(deps: CycleProcessorDeps) {
  const keys = cycleKeys(deps.prefix);

  /** The plan's root message, posted once (keyed, like a check's) however often the job runs. */
  async function openThread(job: Job<CycleJobData>, poster: ChatPoster, data: CyclePlanJobData): Promise<ReplyAddress> {
    if (!job.data.reply.thread)
      await ensureRoot(
        job,
        poster,
        cycleRootMessage(
          { cluster: data.cluster, requester: data.requester, dryRun: data.dryRun, rollbackOf: data.rollbackOf },
          { state: "planning" },
          poster.traits,
        ),
        `${job.id}:root`,
      );
    return job.data.reply;
  }

  async function plan(job: Job<CycleJobData>, data: CyclePlanJobData, poster: ChatPoster): Promise<CycleJobResult> {
    const reply = await openThread(job, poster, data);
    let p: CyclePlan;
    try {
      p = await buildPlan({
        cluster: data.cluster,
        addons: data.addons,
        requester: data.requester,
        dryRun: data.dryRun,
        file: deps.file,
        drivers: deps.drivers(data.cluster),
      });
    } catch (err) {
      const msg = (err as Error).message;
      await poster.postInThread(
        { channel: reply.channel, thread: reply.thread! },
        { text: `⚠️ Could not plan the cycle: ${msg}` },
      );
      if (reply.rootMessage)
        await poster.update(
          reply.channel,
          reply.rootMessage,
          cycleRootMessage(
            { cluster: data.cluster, requester: data.requester, dryRun: data.dryRun },
            { state: "could-not-plan", why: msg },
            poster.traits,
          ),
        );
      throw new UnrecoverableError(msg);
    }
    if (p.steps.length === 0) {
      // Nothing to cycle is not a plan: no votes asked, no state that status or abort would report.
      await poster.postInThread(
        { channel: reply.channel, thread: reply.thread! },
        { text: `✅ Nothing to do on ${p.cluster}: ${nothingToDo(p)}. No plan was made.` },
      );
      await deps.approvals.setRoot(p, reply, { state: "nothing-to-do", why: nothingToDo(p) });
      return { status: "nothing-to-do", planId: p.id };
    }
    const req = await deps.approvals.requestApproval(p, reply);
    return { planId: req.planId, hash: req.hash };
  }

  async function run(
    job: Job<CycleJobData>,
    data: CycleRunJobData,
    poster: ChatPoster,
    log: Logger,
  ): Promise<CycleJobResult> {
    const stored = await deps.approvals.plans.get(data.planId);
    if (!stored) throw new UnrecoverableError(`plan ${data.planId} is not in Redis`);
    const address = { channel: data.reply.channel, thread: data.reply.thread! };
    const say = (text: string, file?: { name: string; content: string }) =>
      poster.postInThread(address, { text, file });
    if (stored.hash !== data.planHash)
      throw new UnrecoverableError(`plan ${data.planId} changed after approval (hash mismatch)`);
    const { plan: p } = stored;
    const root = (state: CycleRootState) => deps.approvals.setRoot(p, data.reply, state);

    if (stored.state === "approved") {
      // Votes are bound to the plan hash: if the cluster moved since the plan was made, the
      // approval does not cover what would now run. Re-plan and ask again.
      if (p.kind === "cycle") {
        const fresh = await buildPlan({
          cluster: p.cluster,
          addons: p.steps.map((s) => s.addon),
          requester: p.requester,
          dryRun: false,
          file: deps.file,
          drivers: deps.drivers(p.cluster),
        });
        if (planHash(fresh) !== stored.hash) {
          await deps.approvals.plans.transition(p.id, "approved", "superseded");
          await deps.approvals.audit.append({
            planId: p.id,
            planHash: stored.hash,
            cluster: p.cluster,
            action: "superseded",
            who: "upshift",
            detail: planHash(fresh),
          });
          await say(
            "⚠️ The cluster changed since this plan was approved (add-on versions or states differ). The approval does not carry over: here is the new plan.",
          );
          const req = await deps.approvals.requestApproval(fresh, data.reply);
          return { status: "superseded", newPlanId: req.planId };
        }
      }
      if (!(await deps.approvals.plans.transition(p.id, "approved", "running"))) {
        throw new UnrecoverableError(`plan ${p.id} is ${(await deps.approvals.plans.get(p.id))?.state}, not approved`);
      }
      await deps.approvals.audit.append({
        planId: p.id,
        planHash: stored.hash,
        cluster: p.cluster,
        action: "started",
        who: "upshift",
        detail: data.approvedBy.join(","),
      });
    } else if (stored.state !== "running") {
      throw new UnrecoverableError(`plan ${p.id} is ${stored.state}; only an approved plan runs`);
    } else {
      log.info("resuming a cycle from its journal");
    }

    const n = p.steps.length;
    const engine = new CycleEngine({
      redis: deps.redis,
      prefix: deps.prefix,
      drivers: deps.drivers(p.cluster),
      backupDir: deps.backupDir,
      leaseMs: deps.leaseMs,
      lockTtlMs: deps.lockTtlMs,
      logger: log,
      onEvent: async (e: CycleEvent) => {
        const label = `Step ${e.index + 1}/${n}: *${e.step.addon}*`;
        if (e.type === "step-started") {
          await root({ state: "running", step: e.index + 1, of: n, addon: e.step.addon });
          await say(
            `▶️ ${label} ${e.resumed ? "resuming after a worker restart" : "starting"}: backup → disable → ${e.step.restoreFrom ? "restore" : "enable"} → verify`,
          );
        } else if (e.type === "takeover") {
          await say(`↪️ ${label} taken over from a stopped worker: ${e.decision}.`);
        } else if (e.type === "step-done") {
          const outputs = e.journal.outputs.map((o) => `• ${o.action}: ${trimOutput(o.output, 300)}`).join("\n");
          const file = e.backupJson
            ? { name: `backup-${p.cluster}-${e.step.addon}.json`, content: e.backupJson }
            : undefined;
          await say(
            trimOutput(
              `✅ ${label} done (${e.step.currentVersion ?? "?"} → ${e.step.expectedVersion ?? "current"}).\n${outputs}`,
              OUTPUT_IN_THREAD,
            ),
            file,
          );
        } else {
          const outputs = e.journal.outputs.map((o) => `• ${o.action}: ${trimOutput(o.output, 400)}`).join("\n");
          await say(trimOutput(`❌ ${label} failed: ${e.error}\n${outputs}`, OUTPUT_IN_THREAD));
        }
      },
    });

    // Trouble during a cycle should reach the channel without anyone asking: watch the cluster
    // for as long as the cycle runs. A watch someone else started is left running afterwards.
    let ownWatch = false;
    if (deps.watch) {
      try {
        const started = await deps.watch.start(
          p.cluster,
          { platform: data.reply.platform, channel: data.reply.channel, guild: data.reply.guild },
          CYCLE_WATCH_MS,
          { by: "cycle", requester: p.requester, cycleId: p.id },
        );
        // A cycle resumed by another worker finds its own watch "already" running.
        ownWatch = started.status === "started" || data.watchStarted === true;
        if (started.status === "started") await job.updateData({ ...data, watchStarted: true });
      } catch (err) {
        log.warn({ err: (err as Error).message }, "could not start the cycle's watch; the cycle goes on");
      }
    }

    let result: CycleResult;
    try {
      result = await engine.run(p);
    } catch (err) {
      if (err instanceof ClusterBusyError) {
        await say(`⛔ ${p.cluster} is busy: cycle ${err.holder} holds it. This plan did not run.`);
        await deps.approvals.plans.transition(p.id, "running", "failed");
        await root({ state: "failed", step: 1, of: n, addon: `${p.cluster} busy with cycle ${err.holder}` });
        throw new UnrecoverableError(err.message);
      }
      throw err;
    } finally {
      if (ownWatch)
        await deps.watch
          ?.stop(p.cluster)
          .catch((e: Error) => log.warn({ err: e.message }, "could not stop the cycle's watch"));
    }
    const audit = (action: string, detail?: string) =>
      deps.approvals.audit.append({
        planId: p.id,
        planHash: stored.hash,
        cluster: p.cluster,
        action,
        who: "upshift",
        detail,
      });
    if (result.status === "done") {
      await deps.approvals.plans.transition(p.id, "running", "done");
      await audit("finished", `${result.stepsDone} step(s)`);
      await say(
        `🏁 ${p.kind === "rollback" ? "Rollback" : "Cycle"} on ${p.cluster} finished: ${result.stepsDone} of ${n} step(s) done.`,
      );
      await root({ state: "done", steps: result.stepsDone });
    } else if (result.status === "aborted") {
      await deps.redis.del(keys.abort(p.cluster));
      await deps.approvals.plans.transition(p.id, "running", "aborted");
      await audit("aborted", `after ${result.stepsDone} step(s)`);
      await say(`⏹️ Aborted on request after ${result.stepsDone} of ${n} step(s); nothing further was changed.`);
      await root({ state: "aborted", after: result.stepsDone, of: n });
    } else {
      await deps.approvals.plans.transition(p.id, "running", "failed");
      await audit("failed", result.error);
      const step = p.steps[result.failedStep ?? 0];
      await root({ state: "failed", step: (result.failedStep ?? 0) + 1, of: n, addon: step.addon });
      const link = data.reply.rootMessage ? " See the thread for its output." : "";
      await poster.postRoot(data.reply.channel, {
        text: `🚨 Add-on ${p.kind} on *${p.cluster}* failed at step ${(result.failedStep ?? 0) + 1} (${step.addon}): ${trimOutput(result.error ?? "unknown error", 300)}. The cycle stopped; later steps did not run.${link}`,
      });
      if (p.kind === "cycle") {
        const rollback = await rollbackPlanFor(deps.redis, deps.prefix, p, p.requester);
        if (rollback) {
          await say("A rollback to the backups taken during this cycle is offered below; it needs its own approval.");
          await deps.approvals.requestApproval(rollback, data.reply);
        }
      }
    }
    if (p.kind === "cycle" && result.status !== "aborted" && deps.verifyAfter && data.reply.thread)
      await deps
        .verifyAfter(p.cluster, data.reply)
        .catch((err) => log.warn({ err: (err as Error).message }, "could not queue the verify after the cycle"));
    return result;
  }

  return async function processCycle(job: Job<CycleJobData>): Promise<CycleJobResult> {
    const data = job.data;
    const log = deps.logger.child({ job: job.id, cluster: data.cluster, kind: data.kind });
    const poster = deps.posters.get(data.reply.platform);
    if (!poster) throw new UnrecoverableError(`no chat platform "${data.reply.platform}" is configured on this worker`);
    if (data.kind === "cycle-plan") return plan(job, data, poster);
    if (data.kind === "cycle-run") {
      return run(job, data, poster, log);
    }
    throw new UnrecoverableError(`unknown cycle job kind ${(data as { kind?: string }).kind}`);
  };
}

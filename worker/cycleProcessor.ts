// Processes cycle jobs. "cycle-plan": read the add-ons, order them, post the plan in a thread
// and ask for approval (or only post it, for --dry-run). "cycle-run": run an approved plan
// through the CycleEngine, posting each step's result in the thread; on failure, alert the
// channel and offer a rollback plan that needs its own approval. A run job handed on after a
// worker died resumes from the step journal (see src/cycles/cycleEngine.ts for the rule).
//
// A run goes through its parts in order, one function each: load the plan it was approved for,
// take the approval (or resume, or re-plan when the cluster moved), watch the cluster while the
// engine runs the steps under the cluster's lock (each step posted as it goes), record the
// result (plan state, audit, thread, root, the channel alert and rollback offer on failure), and
// queue the verify. The words are src/render/cycles.ts's.
import { type Job, UnrecoverableError } from "bullmq";
import type { ApprovalEngine } from "../src/approvals/approvalEngine.ts";
import type { PosterRegistry } from "../src/chat/posterRegistry.ts";
import type { ChatMessage, ChatPoster, ReplyAddress } from "../src/chat/types.ts";
import type { FileConfig } from "../src/config/schema.ts";
import {
  ClusterBusyError,
  CycleEngine,
  type CycleEvent,
  type CycleResult,
  rollbackPlanFor,
} from "../src/cycles/cycleEngine.ts";
import { buildPlan, nothingToDo, planHash } from "../src/cycles/plan.ts";
import type { StoredPlan } from "../src/cycles/planStore.ts";
import type { CyclePlan, CycleRootState, DriverSet } from "../src/cycles/types.ts";
import type { Logger } from "../src/log.ts";
import type { CycleJobData, CyclePlanJobData, CycleRunJobData } from "../src/queue/jobs.ts";
import type { RedisCommands } from "../src/redis/commands.ts";
import { cycleKeys } from "../src/redis/keys.ts";
import {
  clusterBusyNote,
  clusterBusyState,
  couldNotPlanNote,
  cycleAbortedNote,
  cycleFailedAlert,
  cycleFinishedNote,
  cycleRootMessage,
  nothingToDoNote,
  ROLLBACK_OFFERED_NOTE,
  SUPERSEDED_NOTE,
  stepEventMessage,
} from "../src/render/cycles.ts";
import type { WatchControl } from "../src/watch/control.ts";
import { ensureRoot, posterFor } from "./posting.ts";

export interface CycleProcessorDeps {
  redis: RedisCommands;
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

export function createCycleProcessor(deps: CycleProcessorDeps) {
  return async function processCycle(job: Job<CycleJobData>): Promise<CycleJobResult> {
    const data = job.data;
    const log = deps.logger.child({ job: job.id, cluster: data.cluster, kind: data.kind });
    const poster = posterFor(deps.posters, data.reply);
    if (data.kind === "cycle-plan") return planCycle(deps, job, data, poster);
    if (data.kind === "cycle-run") return runCycle(await loadRun(deps, job, data, poster, log));
    throw new UnrecoverableError(`unknown cycle job kind ${(data as { kind?: string }).kind}`);
  };
}

// ---- The plan job

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

async function planCycle(
  deps: CycleProcessorDeps,
  job: Job<CycleJobData>,
  data: CyclePlanJobData,
  poster: ChatPoster,
): Promise<CycleJobResult> {
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
    await poster.postInThread({ channel: reply.channel, thread: reply.thread! }, { text: couldNotPlanNote(msg) });
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
    await poster.postInThread({ channel: reply.channel, thread: reply.thread! }, { text: nothingToDoNote(p) });
    await deps.approvals.setRoot(p, reply, { state: "nothing-to-do", why: nothingToDo(p) });
    return { status: "nothing-to-do", planId: p.id };
  }
  const req = await deps.approvals.requestApproval(p, reply);
  return { planId: req.planId, hash: req.hash };
}

// ---- The run job

/** One run job and the plan it runs: what every part of the run reads. */
interface CycleRun {
  deps: CycleProcessorDeps;
  job: Job<CycleJobData>;
  data: CycleRunJobData;
  stored: StoredPlan;
  plan: CyclePlan;
  poster: ChatPoster;
  log: Logger;
}

async function runCycle(run: CycleRun): Promise<CycleJobResult> {
  const superseded = await takeApproval(run);
  if (superseded) return superseded;
  const result = await runSteps(run);
  await recordResult(run, result);
  await verifyAfterCycle(run, result);
  return result;
}

/** The plan the run was approved for, unchanged since the votes. */
async function loadRun(
  deps: CycleProcessorDeps,
  job: Job<CycleJobData>,
  data: CycleRunJobData,
  poster: ChatPoster,
  log: Logger,
): Promise<CycleRun> {
  const stored = await deps.approvals.plans.get(data.planId);
  if (!stored) throw new UnrecoverableError(`plan ${data.planId} is not in Redis`);
  if (stored.hash !== data.planHash)
    throw new UnrecoverableError(`plan ${data.planId} changed after approval (hash mismatch)`);
  return { deps, job, data, stored, plan: stored.plan, poster, log };
}

/** A reply in the cycle's thread. */
function say(run: CycleRun, text: string, file?: ChatMessage["file"]): Promise<string> {
  return run.poster.postInThread({ channel: run.data.reply.channel, thread: run.data.reply.thread! }, { text, file });
}

/** Edits the thread's root to say where the cycle is. */
function setRoot(run: CycleRun, state: CycleRootState): Promise<void> {
  return run.deps.approvals.setRoot(run.plan, run.data.reply, state);
}

/** An entry in the plan's audit log, written by Upshift itself. */
async function audit(run: CycleRun, action: string, detail?: string): Promise<void> {
  await run.deps.approvals.audit.append({
    planId: run.plan.id,
    planHash: run.stored.hash,
    cluster: run.plan.cluster,
    action,
    who: "upshift",
    detail,
  });
}

/**
 * Moves an approved plan to running (once: a second run job finds it running and resumes it from
 * the journal), or ends the job: a plan in any other state does not run, and a plan whose cluster
 * moved since the votes is superseded by a new one that needs its own.
 */
async function takeApproval(run: CycleRun): Promise<CycleJobResult | undefined> {
  const { deps, plan: p, stored } = run;
  if (stored.state === "approved") {
    const superseded = await replanIfMoved(run);
    if (superseded) return superseded;
    if (!(await deps.approvals.plans.transition(p.id, "approved", "running"))) {
      throw new UnrecoverableError(`plan ${p.id} is ${(await deps.approvals.plans.get(p.id))?.state}, not approved`);
    }
    await audit(run, "started", run.data.approvedBy.join(","));
  } else if (stored.state !== "running") {
    throw new UnrecoverableError(`plan ${p.id} is ${stored.state}; only an approved plan runs`);
  } else {
    run.log.info("resuming a cycle from its journal");
  }
  return undefined;
}

/**
 * Votes are bound to the plan hash: if the cluster moved since the plan was made, the approval
 * does not cover what would now run. Re-plan and ask again. A rollback plan is kept as it is: it
 * restores the backups of the cycle it undoes, and buildPlan makes cycle plans only.
 */
async function replanIfMoved(run: CycleRun): Promise<CycleJobResult | undefined> {
  const { deps, plan: p, stored } = run;
  if (p.kind !== "cycle") return undefined;
  const fresh = await buildPlan({
    cluster: p.cluster,
    addons: p.steps.map((s) => s.addon),
    requester: p.requester,
    dryRun: false,
    file: deps.file,
    drivers: deps.drivers(p.cluster),
  });
  if (planHash(fresh) === stored.hash) return undefined;
  await deps.approvals.plans.transition(p.id, "approved", "superseded");
  await audit(run, "superseded", planHash(fresh));
  await say(run, SUPERSEDED_NOTE);
  const req = await deps.approvals.requestApproval(fresh, run.data.reply);
  return { status: "superseded", newPlanId: req.planId };
}

/**
 * Runs the steps through the engine, which holds the cluster's lock and keeps the step journal,
 * with the cluster watched meanwhile. Another cycle holding the lock ends this plan as failed.
 */
async function runSteps(run: CycleRun): Promise<CycleResult> {
  const { deps, plan: p } = run;
  const engine = stepEngine(run);
  const stopWatch = await watchDuringCycle(run);
  try {
    return await engine.run(p);
  } catch (err) {
    if (err instanceof ClusterBusyError) {
      await say(run, clusterBusyNote(p.cluster, err.holder));
      await deps.approvals.plans.transition(p.id, "running", "failed");
      await setRoot(run, clusterBusyState(p.cluster, err.holder, p.steps.length));
      throw new UnrecoverableError(err.message);
    }
    throw err;
  } finally {
    await stopWatch();
  }
}

/** The engine for this run; each step's start, takeover and end is posted in the thread as it happens. */
function stepEngine(run: CycleRun): CycleEngine {
  const { deps, plan: p } = run;
  const n = p.steps.length;
  return new CycleEngine({
    redis: deps.redis,
    prefix: deps.prefix,
    drivers: deps.drivers(p.cluster),
    backupDir: deps.backupDir,
    leaseMs: deps.leaseMs,
    lockTtlMs: deps.lockTtlMs,
    logger: run.log,
    onEvent: async (e: CycleEvent) => {
      if (e.type === "step-started")
        await setRoot(run, { state: "running", step: e.index + 1, of: n, addon: e.step.addon });
      const m = stepEventMessage(e, n, p.cluster);
      await say(run, m.text, m.file);
    },
  });
}

/**
 * Trouble during a cycle should reach the channel without anyone asking: watch the cluster for as
 * long as the cycle runs. Returns what stops the watch again; a watch someone else started is
 * left running afterwards.
 */
async function watchDuringCycle(run: CycleRun): Promise<() => Promise<void>> {
  const { deps, data, plan: p, log } = run;
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
      if (started.status === "started") await run.job.updateData({ ...data, watchStarted: true });
    } catch (err) {
      log.warn({ err }, "could not start the cycle's watch; the cycle goes on");
    }
  }
  return async () => {
    if (ownWatch)
      await deps.watch?.stop(p.cluster).catch((e: Error) => log.warn({ err: e }, "could not stop the cycle's watch"));
  };
}

/** The plan's final state, its audit entry, and what the thread, the root and (on failure) the channel say. */
async function recordResult(run: CycleRun, result: CycleResult): Promise<void> {
  const { deps, plan: p } = run;
  const n = p.steps.length;
  if (result.status === "done") {
    await deps.approvals.plans.transition(p.id, "running", "done");
    await audit(run, "finished", `${result.stepsDone} step(s)`);
    await say(run, cycleFinishedNote(p, result.stepsDone));
    await setRoot(run, { state: "done", steps: result.stepsDone });
  } else if (result.status === "aborted") {
    await deps.redis.del(cycleKeys(deps.prefix).abort(p.cluster));
    await deps.approvals.plans.transition(p.id, "running", "aborted");
    await audit(run, "aborted", `after ${result.stepsDone} step(s)`);
    await say(run, cycleAbortedNote(result.stepsDone, n));
    await setRoot(run, { state: "aborted", after: result.stepsDone, of: n });
  } else {
    await deps.approvals.plans.transition(p.id, "running", "failed");
    await audit(run, "failed", result.error);
    const step = p.steps[result.failedStep ?? 0];
    await setRoot(run, { state: "failed", step: (result.failedStep ?? 0) + 1, of: n, addon: step.addon });
    await run.poster.postRoot(
      run.data.reply.channel,
      cycleFailedAlert(p, result.failedStep ?? 0, result.error, Boolean(run.data.reply.rootMessage)),
    );
    await offerRollback(run);
  }
}

/** After a failed add-on cycle: a rollback to the backups it took, which needs its own approval. */
async function offerRollback(run: CycleRun): Promise<void> {
  const { deps, plan: p } = run;
  if (p.kind !== "cycle") return;
  const rollback = await rollbackPlanFor(deps.redis, deps.prefix, p, p.requester);
  if (!rollback) return;
  await say(run, ROLLBACK_OFFERED_NOTE);
  await deps.approvals.requestApproval(rollback, run.data.reply);
}

/** At the end of an add-on cycle that ran (done or failed), a verify posts in its thread. */
async function verifyAfterCycle(run: CycleRun, result: CycleResult): Promise<void> {
  const { deps, data, plan: p } = run;
  if (p.kind === "cycle" && result.status !== "aborted" && deps.verifyAfter && data.reply.thread)
    await deps
      .verifyAfter(p.cluster, data.reply)
      .catch((err) => run.log.warn({ err }, "could not queue the verify after the cycle"));
}

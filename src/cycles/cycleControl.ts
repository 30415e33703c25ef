// The producer side of cycles, for the command handlers and the approval engine: queue a plan,
// queue an approved run (once: the job id is the plan id), report status, request an abort.
import { Queue } from "bullmq";
import type { TraitsSource } from "../chat/platformTraits.ts";
import type { Requester } from "../chat/types.ts";
import type { CycleJobData, CyclePlanJobData, CycleRunJobData } from "../queue/jobs.ts";
import { QUEUES } from "../queue/queues.ts";
import type { RedisCommands } from "../redis/commands.ts";
import type { RedisConnection } from "../redis/connection.ts";
import { type CycleKeys, cycleKeys } from "../redis/keys.ts";
import { ClusterLock } from "./clusterLock.ts";
import { PlanStore } from "./planStore.ts";
import { StepJournalStore } from "./stepJournal.ts";
import type { CycleNotifier, CycleRootState } from "./types.ts";

export type PlanRequestResult =
  | { status: "queued"; jobId: string }
  | { status: "busy"; holder: string; cluster: string };

/** Who asks to stop a cycle, as the adapters normalise them (Discord adds the member's roles). */
export interface CycleActor {
  requester: Requester;
  roles?: string[];
}

export interface CycleControlOptions {
  /** The platforms' traits, for the mentions in an abort's texts. */
  platforms: TraitsSource;
  /**
   * Whether the actor is an approver of the cluster (the approvals rules of upshift.yaml). Without
   * it only a cycle's requester may abort it.
   */
  isApprover?: (cluster: string, actor: CycleActor) => Promise<boolean>;
}

export class CycleControl {
  /** Where abort requests are told (the approval engine, which has the posters); see setNotifier. */
  private notifier?: CycleNotifier;
  readonly queue: Queue<CycleJobData>;
  private readonly redis: RedisCommands;
  private readonly keys: CycleKeys;
  readonly plans: PlanStore;
  private readonly isApprover?: CycleControlOptions["isApprover"];
  private readonly platforms: TraitsSource;

  constructor(connection: RedisConnection, prefix: string, opts: CycleControlOptions) {
    this.redis = connection;
    this.isApprover = opts.isApprover;
    this.platforms = opts.platforms;
    this.keys = cycleKeys(prefix);
    this.queue = new Queue<CycleJobData>(QUEUES.cycle.name, { connection, prefix });
    this.plans = new PlanStore(connection, this.keys);
  }

  /** Where abort requests are told: the plan's thread, and its root's state. */
  setNotifier(notifier: CycleNotifier): void {
    this.notifier = notifier;
  }

  /** A note that cannot be posted must not turn a done abort into an error for the user. */
  private async notify(planId: string, text: string, state: CycleRootState): Promise<void> {
    await this.notifier?.(planId, text, state).catch(() => undefined);
  }

  async requestPlan(data: CyclePlanJobData): Promise<PlanRequestResult> {
    const holder = await new ClusterLock(this.redis, this.keys.lock(data.cluster), 1).holder();
    if (holder && !data.dryRun) return { status: "busy", holder, cluster: data.cluster };
    const job = await this.queue.add("cycle-plan", data, QUEUES.cycle.jobOptions);
    return { status: "queued", jobId: job.id ?? "" };
  }

  /** The approval engine's hook. Idempotent: a second call for the same plan adds nothing. */
  async enqueueRun(data: CycleRunJobData): Promise<void> {
    await this.queue.add("cycle-run", data, { ...QUEUES.cycle.jobOptions, jobId: `run.${data.planId}` });
  }

  async status(cluster: string): Promise<string> {
    const holder = await new ClusterLock(this.redis, this.keys.lock(cluster), 1).holder();
    const latest = await this.plans.latestFor(cluster);
    if (!latest)
      return holder ? `A cycle (${holder}) holds ${cluster}.` : `No add-on cycle has been planned for ${cluster}.`;
    const { plan } = latest;
    const journal = await new StepJournalStore(this.redis, this.keys.journal(plan.id)).all(plan.steps.length);
    const lines = plan.steps.map((s, i) => {
      const j = journal[i];
      const phase = j.state === "running" && j.phase ? ` (${j.phase})` : "";
      return `${i + 1}. ${s.addon}: ${j.state}${phase}${j.error ? ` — ${j.error}` : ""}`;
    });
    const lock = holder
      ? holder === plan.id
        ? " It holds the cluster lock."
        : ` Cycle ${holder} holds the cluster lock.`
      : "";
    return `${plan.kind === "rollback" ? "Rollback" : "Cycle"} ${plan.id} on ${cluster}: ${latest.state}.${lock}\n${lines.join("\n")}`;
  }

  /**
   * Stops the cycle before its next step (the running step finishes), or cancels a pending plan.
   * An approver's or the requester's act only, as a ❌ on the plan is: anyone else is refused and
   * nothing changes.
   */
  async abort(cluster: string, actor: CycleActor): Promise<{ ok: boolean; text: string }> {
    const latest = await this.plans.latestFor(cluster);
    if (!latest) return { ok: false, text: `No add-on cycle to abort on ${cluster}.` };
    const id = latest.plan.id;
    const mention = (r: Requester) => this.platforms.traits(r.platform).mention(r);
    const open = latest.state === "pending" || latest.state === "approved" || latest.state === "running";
    if (open && !(await this.mayStop(cluster, latest.plan.requester, actor)))
      return {
        ok: false,
        text: `Refused: only an approver of ${cluster} or the requester of ${id} (${mention(latest.plan.requester)}) may abort it. Nothing was changed.`,
      };
    if (await this.plans.transition(id, "pending", "cancelled")) {
      await this.redis.zrem(this.keys.pending, id);
      await this.notify(
        id,
        `❌ Cancelled by ${mention(actor.requester)} (/upgrade-cycle-abort). Nothing was changed on ${cluster}.`,
        { state: "cancelled", by: actor.requester.userId },
      );
      return { ok: true, text: `Cancelled the pending plan ${id} for ${cluster} (${mention(actor.requester)}).` };
    }
    if (latest.state === "approved" || latest.state === "running") {
      await this.redis.set(this.keys.abort(cluster), id, "EX", 7 * 24 * 3600);
      await this.notify(
        id,
        `⏹️ Abort requested by ${mention(actor.requester)}: the cycle stops before its next step; the running step finishes.`,
        { state: "abort-requested", by: actor.requester.userId },
      );
      return {
        ok: true,
        text: `Abort requested for cycle ${id} on ${cluster}: it stops before its next step; the running step finishes.`,
      };
    }
    return { ok: false, text: `The latest cycle on ${cluster} is ${latest.state}; nothing to abort.` };
  }

  private async mayStop(cluster: string, requester: Requester, actor: CycleActor): Promise<boolean> {
    if (actor.requester.platform === requester.platform && actor.requester.userId === requester.userId) return true;
    return (await this.isApprover?.(cluster, actor)) ?? false;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

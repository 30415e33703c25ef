// Approvals by emoji reaction, the same for every platform, with all state in Redis.
// A plan message gets ✅/❌; each reaction event is mapped (channel + message id) to its plan,
// checked against the cluster's approvers, and counted by one Lua script, so two reactions
// arriving at once on two bot replicas can neither double-count nor start the run twice: the
// script is the only place the plan moves from "pending" to "approved", and it does so once.

import type { AccessPolicy } from "../access/policy.ts";
import type { ButtonClick } from "../chat/buttons.ts";
import type { GroupMembersLookup } from "../chat/groupMembership.ts";
import type { PosterRegistry } from "../chat/posterRegistry.ts";
import type { ChatPoster, Platform, PlatformTraits, ReplyAddress } from "../chat/types.ts";
import { approvalsFor } from "../config/load.ts";
import type { FileConfig } from "../config/schema.ts";
import { nothingToDo, planHash } from "../cycles/plan.ts";
import { PlanStore, type StoredPlan } from "../cycles/planStore.ts";
import type { CyclePlan, CycleRootState } from "../cycles/types.ts";
import { errorMessage } from "../errors/upshiftError.ts";
import type { Logger } from "../log.ts";
import type { CycleRunJobData } from "../queue/jobs.ts";
import type { RedisCommands } from "../redis/commands.ts";
import { type CycleKeys, cycleKeys } from "../redis/keys.ts";
import { runScript } from "../redis/scripts.ts";
import * as approvalText from "../render/approvals.ts";
import { cycleRootMessage, planRich, renderPlan, rootSubjectOf } from "../render/cycles.ts";
import { type ApprovalReaction, ApproverResolver } from "./approvers.ts";
import { AuditLog } from "./auditLog.ts";
import { decisionOf, type ReactionDecision } from "./emoji.ts";

export interface ApprovalEngineDeps {
  redis: RedisCommands;
  prefix: string;
  /** The platforms' posters, and with them their traits (mentions, seed emoji). */
  posters: PosterRegistry;
  file: FileConfig;
  /** Called once when a plan reaches its required votes: enqueue the cycle run. */
  onApproved(run: CycleRunJobData): Promise<void>;
  groupMembers?: GroupMembersLookup;
  /**
   * Access rules (upshift.yaml `access`). A reaction counts only when its user may also run the
   * command it stands for, in the plan's channel, on the plan's cluster: ✅ is /upgrade-cycle, ❌
   * is /upgrade-cycle-abort. Rules never widen the approvers; they can only narrow them.
   */
  access?: AccessPolicy;
  logger?: Logger;
  now?: () => number;
}

export type ReactionOutcome =
  | "ignored-emoji"
  | "unrelated"
  | "not-approver"
  | "not-allowed-here"
  | "self-approval"
  | "voted"
  | "duplicate"
  | "withdrawn"
  | "noop"
  | "approved"
  | "cancelled"
  | "expired"
  | "closed"
  | "stale"
  | "missing";

export interface ButtonResult {
  outcome: ReactionOutcome;
  /** What to tell the clicker, and only them (an ephemeral reply). */
  notice: string;
}

/** Hex characters of the plan hash a button carries: 64 bits, and room in Discord's 100-character custom_id. */
const BUTTON_HASH_CHARS = 16;

/**
 * What an approval button carries: the plan and the hash its approvers saw. A click on a button
 * of an earlier plan (or a forged value) names a hash that is not the plan's, and is refused.
 */
export function buttonValue(planId: string, hash: string): string {
  return `${planId}:${hash.slice(0, BUTTON_HASH_CHARS)}`;
}

export function parseButtonValue(value: string): { planId: string; hash: string } | undefined {
  const m = /^([0-9a-f-]{8,64}):([0-9a-f]{16})$/.exec(value);
  return m ? { planId: m[1], hash: m[2] } : undefined;
}

export interface ApprovalRequest {
  planId: string;
  hash: string;
  messageId: string;
  expiresAt: number;
}

export class ApprovalEngine {
  private readonly deps: ApprovalEngineDeps;
  private readonly keys: CycleKeys;
  readonly plans: PlanStore;
  readonly audit: AuditLog;
  private readonly approvers: ApproverResolver;
  private readonly now: () => number;

  constructor(deps: ApprovalEngineDeps) {
    this.deps = deps;
    this.keys = cycleKeys(deps.prefix);
    this.plans = new PlanStore(deps.redis, this.keys);
    this.audit = new AuditLog(deps.redis, this.keys.audit);
    this.approvers = new ApproverResolver({ platforms: deps.posters, groupMembers: deps.groupMembers });
    this.now = deps.now ?? Date.now;
  }

  /**
   * Posts the plan in the thread with the approval request and records it as pending.
   * A dry run posts the plan only. `reply` must carry the thread.
   */
  async requestApproval(plan: CyclePlan, reply: ReplyAddress): Promise<ApprovalRequest> {
    const poster = this.poster(reply.platform);
    const traits = poster.traits;
    const address = threadOf(reply);
    const cfg = approvalsFor(this.deps.file, plan.cluster);
    const hash = planHash(plan);
    const expiresAt = this.now() + cfg.expiresAfter;
    if (plan.dryRun || plan.steps.length === 0) {
      const messageId = await poster.postInThread(address, {
        text: approvalText.unrequestedPlanText(renderPlan(plan), Boolean(plan.dryRun)),
      });
      await this.setRoot(
        plan,
        reply,
        plan.steps.length === 0
          ? { state: "nothing-to-do", why: nothingToDo(plan) }
          : { state: "dry-run", steps: plan.steps.length },
      );
      await this.plans.save({
        plan,
        hash,
        state: "dry-run",
        expiresAt,
        required: cfg.required,
        reply,
        messageId,
        approvedBy: [],
      });
      return { planId: plan.id, hash, messageId, expiresAt };
    }
    // Saved before posting: a reaction can arrive the instant the message appears.
    await this.plans.save({ plan, hash, state: "pending", expiresAt, required: cfg.required, reply, approvedBy: [] });
    const who = this.approvers.describe(cfg, reply.platform);
    const ask = approvalText.approvalAsk({
      required: cfg.required,
      approvers: who,
      expiresAfterMs: cfg.expiresAfter,
      selfBarred: cfg.allowSelfApproval ? undefined : traits.mention(plan.requester),
    });
    const value = buttonValue(plan.id, hash);
    const messageId = await poster.postInThread(address, {
      text: approvalText.planWithNote(renderPlan(plan), ask),
      rich: planRich(plan, [ask, approvalText.BUTTONS_HINT]),
      actions: [
        { kind: "approve", label: "Approve", value },
        { kind: "cancel", label: "Cancel", value },
      ],
    });
    await this.plans.setField(plan.id, "messageId", messageId);
    const ttl = Math.ceil(cfg.expiresAfter / 1000) + 7 * 24 * 3600;
    for (const channel of new Set([reply.channel, address.thread])) {
      await this.deps.redis.set(this.keys.message(reply.platform, channel, messageId), plan.id, "EX", ttl);
    }
    await this.deps.redis.zadd(this.keys.pending, expiresAt, plan.id);
    await this.setRoot(plan, reply, { state: "planned", steps: plan.steps.length, required: cfg.required });
    await this.audit.append({
      planId: plan.id,
      planHash: hash,
      cluster: plan.cluster,
      action: "requested",
      who: plan.requester.userId,
      platform: reply.platform,
    });
    if (poster.react) {
      for (const d of ["approve", "cancel"] as const) {
        await poster
          .react(traits.threadMessageChannel(address), messageId, traits.seedEmoji[d])
          .catch((err) => this.deps.logger?.warn({ err }, "could not seed the approval reactions"));
      }
    }
    return { planId: plan.id, hash, messageId, expiresAt };
  }

  async onReaction(event: ApprovalReaction): Promise<ReactionOutcome> {
    const decision = decisionOf(event.emoji);
    if (!decision) return "ignored-emoji";
    const planId = await this.deps.redis.get(this.keys.message(event.platform, event.channel, event.messageId));
    if (!planId) return "unrelated";
    const stored = await this.plans.get(planId);
    if (!stored) return "missing";
    if (stored.state !== "pending") return "closed";
    return (await this.decide(stored, event, decision, "reaction")).outcome;
  }

  /**
   * A click on a plan's Approve or Cancel button: the same rules as a reaction (approvers only,
   * no self-approval, expiry, votes bound to the plan hash), plus the hash the button carries,
   * so a button of an earlier plan never counts for a later one. Refusals are told to the
   * clicker only (`notice`, shown ephemerally), not posted in the thread.
   */
  async onButton(click: ButtonClick): Promise<ButtonResult> {
    const ref = parseButtonValue(click.value);
    if (!ref) return { outcome: "unrelated", notice: approvalText.BUTTON_NOTICES.unrelated };
    const stored = await this.plans.get(ref.planId);
    if (!stored) return { outcome: "missing", notice: approvalText.BUTTON_NOTICES.missing };
    if (!stored.hash.startsWith(ref.hash)) {
      await this.audit.append({
        planId: ref.planId,
        planHash: stored.hash,
        cluster: stored.plan.cluster,
        action: "refused-stale",
        who: click.userId,
        platform: click.platform,
        detail: ref.hash,
      });
      return { outcome: "stale", notice: approvalText.BUTTON_NOTICES.stale };
    }
    if (stored.state !== "pending") {
      const outcome: ReactionOutcome = stored.state === "expired" ? "expired" : "closed";
      return { outcome, notice: approvalText.closedNotice(stored.state) };
    }
    const event: ApprovalReaction = {
      platform: click.platform,
      added: true,
      userId: click.userId,
      emoji: click.decision === "approve" ? "button:approve" : "button:cancel",
      channel: click.channel,
      messageId: click.messageId,
      ...(click.guild ? { guild: click.guild } : {}),
      ...(click.roles ? { roles: click.roles } : {}),
    };
    return this.decide(stored, event, click.decision, "button");
  }

  /** The rules every vote goes through, whichever way it was cast. */
  private async decide(
    stored: StoredPlan,
    event: ApprovalReaction,
    decision: ReactionDecision,
    via: "reaction" | "button",
  ): Promise<ButtonResult> {
    const planId = stored.plan.id;
    const cluster = stored.plan.cluster;
    const cfg = approvalsFor(this.deps.file, cluster);
    const base = { planId, planHash: stored.hash, cluster, who: event.userId, platform: event.platform };
    const who = this.traits(event.platform).mention({ userId: event.userId });

    let allowed: boolean;
    try {
      allowed = await this.approvers.isApprover(event, cfg);
    } catch (err) {
      this.deps.logger?.warn({ err }, "approver lookup failed");
      const said = approvalText.lookupFailed(who, errorMessage(err), via);
      if (via === "reaction") await this.say(stored, said.thread);
      return { outcome: "not-approver", notice: said.notice };
    }
    if (!allowed) {
      const said = approvalText.notApprover(who, cluster, via);
      if (event.added && (await this.firstNotice(planId, `not:${event.userId}`))) {
        await this.audit.append({ ...base, action: "refused-not-approver", detail: event.emoji });
        if (via === "reaction") await this.say(stored, said.thread);
      }
      return { outcome: "not-approver", notice: said.notice };
    }
    if (this.deps.access?.restricted) {
      const command = decision === "approve" ? "upgrade-cycle" : "upgrade-cycle-abort";
      const check = await this.deps.access.check(
        { platform: event.platform, channel: stored.reply.channel, userId: event.userId, roles: event.roles },
        command,
        { clusters: [cluster] },
        [cluster],
      );
      if (!check.allowed) {
        const said = approvalText.notAllowedHere(who, command, cluster, via);
        if (event.added && (await this.firstNotice(planId, `access:${command}:${event.userId}`))) {
          await this.audit.append({ ...base, action: "refused-access", detail: `${command} ${event.emoji}` });
          if (via === "reaction") await this.say(stored, said.thread);
        }
        return { outcome: "not-allowed-here", notice: said.notice };
      }
    }
    const isRequester =
      event.userId === stored.plan.requester.userId && event.platform === stored.plan.requester.platform;
    if (decision === "approve" && isRequester && !cfg.allowSelfApproval) {
      const said = approvalText.selfApproval(who, via);
      if (event.added && (await this.firstNotice(planId, `self:${event.userId}`))) {
        await this.audit.append({ ...base, action: "refused-self" });
        if (via === "reaction") await this.say(stored, said.thread);
      }
      return { outcome: "self-approval", notice: said.notice };
    }
    if (decision === "cancel" && !event.added) return { outcome: "noop", notice: approvalText.NOTHING_CHANGED };
    const op = decision === "cancel" ? "cancel" : event.added ? "approve" : "withdraw";
    const [state, votes, outcome] = await this.vote(stored, op, event.userId);
    let notice: string;
    switch (outcome) {
      case "voted": {
        const said = approvalText.voted(who, votes, stored.required);
        await this.audit.append({ ...base, action: "approve" });
        await this.say(stored, said.thread);
        notice = said.notice;
        break;
      }
      case "duplicate":
        notice = approvalText.duplicateVoteNotice(votes, stored.required);
        break;
      case "withdrawn": {
        const said = approvalText.withdrawn(who, votes, stored.required);
        await this.audit.append({ ...base, action: "withdraw" });
        await this.say(stored, said.thread);
        notice = said.notice;
        break;
      }
      case "cancelled": {
        const said = approvalText.cancelled(who, cluster);
        await this.audit.append({ ...base, action: "cancel" });
        await this.say(stored, said.thread);
        await this.setRoot(stored.plan, stored.reply, { state: "cancelled", by: event.userId });
        await this.closePlanMessage(stored, said.planNote);
        notice = said.notice;
        break;
      }
      case "expired":
        await this.announceExpired(stored);
        notice = approvalText.EXPIRED_VOTE_NOTICE;
        break;
      case "approved":
        await this.audit.append({ ...base, action: "approve" });
        await this.startApproved(planId);
        notice = approvalText.COMPLETED_NOTICE;
        break;
      case "stale":
        notice = approvalText.STALE_VOTE_NOTICE;
        break;
      default:
        notice = approvalText.closedNotice(state);
    }
    this.deps.logger?.debug({ planId, state, votes, outcome, via }, "vote counted");
    return { outcome: outcome as ReactionOutcome, notice };
  }

  /** Expires due pending plans (posting so in their threads). Call on an interval. */
  async sweep(): Promise<{ expired: string[] }> {
    const due = await this.deps.redis.zrangebyscore(this.keys.pending, "-inf", String(this.now()));
    const expired: string[] = [];
    for (const planId of due) {
      const stored = await this.plans.get(planId);
      if (!stored) {
        await this.deps.redis.zrem(this.keys.pending, planId);
        continue;
      }
      const [, , outcome] = await this.vote(stored, "expire", "upshift");
      if (outcome === "expired") {
        expired.push(planId);
        await this.announceExpired(stored);
      } else if (outcome === "closed") await this.deps.redis.zrem(this.keys.pending, planId);
    }
    return { expired };
  }

  /** Starts a timer calling sweep(); returns its stop function. */
  startSweeper(intervalMs = 15_000): () => void {
    const timer = setInterval(() => {
      this.sweep().catch((err) => this.deps.logger?.warn({ err }, "approval sweep failed"));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async startApproved(planId: string): Promise<void> {
    const stored = (await this.plans.get(planId))!;
    const traits = this.traits(stored.reply.platform);
    const said = approvalText.approved(
      stored.approvedBy.map((u) => traits.mention({ userId: u })),
      stored.plan.kind,
      stored.plan.cluster,
    );
    await this.audit.append({
      planId,
      planHash: stored.hash,
      cluster: stored.plan.cluster,
      action: "approved",
      who: "upshift",
      detail: stored.approvedBy.join(","),
    });
    await this.say(stored, said.thread);
    await this.setRoot(stored.plan, stored.reply, { state: "approved", by: stored.approvedBy });
    await this.closePlanMessage(stored, said.planNote);
    await this.deps.onApproved({
      kind: "cycle-run",
      planId,
      planHash: stored.hash,
      cluster: stored.plan.cluster,
      reply: stored.reply,
      requester: stored.plan.requester,
      approvedBy: stored.approvedBy,
    });
    await this.plans.setField(planId, "enqueuedAt", String(this.now()));
  }

  private async announceExpired(stored: StoredPlan): Promise<void> {
    await this.audit.append({
      planId: stored.plan.id,
      planHash: stored.hash,
      cluster: stored.plan.cluster,
      action: "expired",
      who: "upshift",
    });
    const said = approvalText.expired(stored.plan.cluster);
    await this.say(stored, said.thread);
    await this.setRoot(stored.plan, stored.reply, { state: "expired" });
    await this.closePlanMessage(stored, said.planNote);
  }

  private async vote(stored: StoredPlan, op: string, user: string): Promise<[string, number, string]> {
    const id = stored.plan.id;
    return (await runScript(
      this.deps.redis,
      "approvalVote",
      [this.keys.plan(id), this.keys.votes(id, stored.hash), this.keys.pending],
      [op, user, String(this.now()), id, stored.hash],
    )) as [string, number, string];
  }

  /** True the first time a notice key is seen for a plan (one "not an approver" per person). */
  private async firstNotice(planId: string, key: string): Promise<boolean> {
    const added = await this.deps.redis.sadd(this.keys.noticed(planId), key);
    await this.deps.redis.expire(this.keys.noticed(planId), 8 * 24 * 3600);
    return added === 1;
  }

  /**
   * Edits the root of the plan's thread to say where the cycle is. Best effort: a root that
   * cannot be edited (deleted, say) must not undo a vote that is already counted.
   */
  async setRoot(plan: CyclePlan, reply: ReplyAddress, state: CycleRootState): Promise<void> {
    try {
      const poster = this.poster(reply.platform);
      // A reply address without a root (tests, old jobs) is left alone.
      if (reply.rootMessage)
        await poster.update(
          reply.channel,
          reply.rootMessage,
          cycleRootMessage(rootSubjectOf(plan), state, poster.traits),
        );
    } catch (err) {
      this.deps.logger?.warn({ err, plan: plan.id }, "could not update the cycle's root message");
    }
  }

  /**
   * Edits a decided plan's message: its buttons go, and it says how it was decided, so nobody
   * clicks a plan that is closed. Best effort, like setRoot (a click on it is refused anyway).
   */
  private async closePlanMessage(stored: StoredPlan, outcome: string): Promise<void> {
    const messageId = stored.messageId ?? (await this.plans.get(stored.plan.id))?.messageId;
    if (!messageId || !stored.reply.thread) return;
    const poster = this.poster(stored.reply.platform);
    const channel = poster.traits.threadMessageChannel(threadOf(stored.reply));
    try {
      await poster.update(channel, messageId, {
        text: approvalText.planWithNote(renderPlan(stored.plan), outcome),
        rich: planRich(stored.plan, [outcome]),
      });
    } catch (err) {
      this.deps.logger?.warn({ err, plan: stored.plan.id }, "could not close the plan message");
    }
  }

  /** Posts a note in a stored plan's thread (abort requests, from the command side). */
  async note(planId: string, text: string, state?: CycleRootState): Promise<void> {
    const stored = await this.plans.get(planId);
    if (!stored?.reply.thread) return;
    await this.say(stored, text);
    if (state) await this.setRoot(stored.plan, stored.reply, state);
  }

  private async say(stored: StoredPlan, text: string): Promise<void> {
    await this.poster(stored.reply.platform).postInThread(threadOf(stored.reply), { text });
  }

  private poster(platform: Platform): ChatPoster {
    const p = this.deps.posters.get(platform);
    if (!p) throw new Error(`no chat platform "${platform}" is configured`);
    return p;
  }

  private traits(platform: Platform): PlatformTraits {
    return this.poster(platform).traits;
  }
}

export function threadOf(reply: ReplyAddress): { channel: string; thread: string } {
  if (!reply.thread) throw new Error("the root message was not posted (reply has no thread)");
  return { channel: reply.channel, thread: reply.thread };
}

// Every chat text of add-on cycles: the root message of a cycle's thread (one line that always
// says where the cycle is: posted "planning" and edited at every change of state), the plan as
// text and as structure, and the thread replies of the plan and run jobs (steps, the end, the
// failure alert in the channel). worker/cycleProcessor.ts and the approval engine decide when each
// is posted; this file decides what it says.
import type { RichMessage, Tone } from "../chat/richMessage.ts";
import type { ChatMessage, Mentions, Requester } from "../chat/types.ts";
import type { CycleEvent } from "../cycles/cycleEngine.ts";
import { trimOutput } from "../cycles/drivers/exec.ts";
import { nothingToDo, planHash } from "../cycles/plan.ts";
import type { CyclePlan, CycleRootState } from "../cycles/types.ts";
import { plural } from "../text/english.ts";
import { dayOf } from "./messageParts.ts";

export interface CycleRootSubject {
  cluster: string;
  requester: Requester;
  dryRun?: boolean;
  /** Rollback plans: the cycle they undo. */
  rollbackOf?: string;
}

export function rootSubjectOf(plan: CyclePlan): CycleRootSubject {
  return { cluster: plan.cluster, requester: plan.requester, dryRun: plan.dryRun, rollbackOf: plan.rollbackOf };
}

/** The state in words, bold first word: what someone scanning the channel reads. */
export function describeCycleState(s: CycleRootState, traits: Mentions): string {
  const mention = (userId: string) => traits.mention({ userId });
  switch (s.state) {
    case "planning":
      return "planning";
    case "planned":
      return `*planned*: ${plural(s.steps, "step")}, waiting for ${plural(s.required, "approval")}`;
    case "dry-run":
      return `*dry run planned*: ${plural(s.steps, "step")}, nothing will run`;
    case "nothing-to-do":
      return `*nothing to do*: ${s.why}`;
    case "could-not-plan":
      return `*could not plan*: ${s.why}`;
    case "re-planned":
      return "*re-planned*: the cluster changed since the approval; the new plan needs approval";
    case "approved":
      return `*approved* by ${s.by.map(mention).join(", ")}, starting`;
    case "running":
      return `*running* step ${s.step} of ${s.of} (${s.addon})`;
    case "done":
      return `*done*: ${plural(s.steps, "step")}`;
    case "failed":
      return `*failed* at step ${s.step} of ${s.of} (${s.addon})`;
    case "cancelled":
      return s.by ? `*cancelled* by ${mention(s.by)}` : "*cancelled*";
    case "expired":
      return "*expired* without enough approvals";
    case "abort-requested":
      return `*aborting*: requested by ${mention(s.by)}, stops before the next step`;
    case "aborted":
      return `*aborted* after ${s.after} of ${plural(s.of, "step")}`;
  }
}

const STATE_TONE: Record<CycleRootState["state"], Tone> = {
  planning: "progress",
  planned: "info",
  "dry-run": "info",
  "nothing-to-do": "good",
  "could-not-plan": "danger",
  "re-planned": "info",
  approved: "progress",
  running: "progress",
  done: "good",
  failed: "danger",
  cancelled: "warning",
  expired: "warning",
  "abort-requested": "warning",
  aborted: "warning",
};

/** The root message; `traits` are the posting platform's (its mentions). */
export function cycleRootMessage(subject: CycleRootSubject, state: CycleRootState, traits: Mentions): ChatMessage {
  const what = subject.rollbackOf
    ? `Rollback of add-on cycle ${subject.rollbackOf.slice(0, 8)}`
    : `Add-on cycle${subject.dryRun ? " (dry run)" : ""}`;
  const described = describeCycleState(state, traits);
  const requester = traits.mention(subject.requester);
  return {
    text: `*${what} for ${subject.cluster}*, requested by ${requester}: ${described}`,
    rich: {
      tone: STATE_TONE[state.state],
      title: `${what} · ${subject.cluster}: ${described}`,
      sections: [],
      context: [`requested by ${requester}`],
    },
    threadName: `${what} · ${subject.cluster} · ${dayOf(undefined)}`,
  };
}

// ---- The plan

function minutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

function stepLines(plan: CyclePlan): string[] {
  return plan.steps.map((s, i) => {
    const versions = `${s.currentVersion ?? "unknown"} → ${s.restoreFrom ? "backup" : (s.expectedVersion ?? "current release")}`;
    const data = s.holdsData ? `holds data; backup: ${s.backup}` : `backup: ${s.backup}`;
    return `${i + 1}. *${s.addon}* (${s.category}, ${s.driver}) ${versions}\n   disrupts: ${s.disrupts}\n   ${data}\n   may take up to ${minutes(s.timeoutMs)}`;
  });
}

function skippedLine(plan: CyclePlan): string | undefined {
  return plan.upToDate?.length
    ? `Left out, already at the expected version: ${plan.upToDate.map((a) => `${a.addon} ${a.version}`).join(", ")}.`
    : undefined;
}

function totalLine(plan: CyclePlan): string {
  const total = plan.steps.reduce((n, s) => n + s.timeoutMs, 0);
  return `Total at most ${minutes(total)}. Plan hash \`${planHash(plan).slice(0, 12)}\`.`;
}

export function renderPlan(plan: CyclePlan): string {
  const title =
    plan.kind === "rollback"
      ? `*Rollback plan for ${plan.cluster}* (undoes cycle ${plan.rollbackOf})`
      : `*Add-on cycle plan for ${plan.cluster}*`;
  if (plan.steps.length === 0) return `${title}\nNothing to do: ${nothingToDo(plan)}.`;
  const skipped = skippedLine(plan);
  return `${title}\nSteps run one at a time, each backup → disable → enable → verify:\n${stepLines(plan).join("\n")}\n${totalLine(plan)}${skipped ? `\n${skipped}` : ""}`;
}

/** The plan as structure: one item per step, the approval terms as context. */
export function planRich(plan: CyclePlan, terms: string[]): RichMessage {
  const skipped = skippedLine(plan);
  return {
    tone: "info",
    title:
      plan.kind === "rollback"
        ? `Rollback plan for ${plan.cluster} (undoes cycle ${plan.rollbackOf?.slice(0, 8)})`
        : `Add-on cycle plan for ${plan.cluster}`,
    summary: "Steps run one at a time, each backup → disable → enable → verify.",
    sections: [
      {
        items: stepLines(plan).map((text) => ({ text })),
        note: `${totalLine(plan)}${skipped ? ` ${skipped}` : ""}`,
      },
    ],
    context: terms,
  };
}

// ---- The plan job's replies

export function couldNotPlanNote(reason: string): string {
  return `⚠️ Could not plan the cycle: ${reason}`;
}

/** When nothing is left to cycle: no plan is made, so no votes are asked. */
export function nothingToDoNote(plan: CyclePlan): string {
  return `✅ Nothing to do on ${plan.cluster}: ${nothingToDo(plan)}. No plan was made.`;
}

// ---- The run job's replies

/** When the cluster moved between the approval and the run: the approval does not carry over. */
export const SUPERSEDED_NOTE =
  "⚠️ The cluster changed since this plan was approved (add-on versions or states differ). The approval does not carry over: here is the new plan.";

/** How much of a step's output a thread reply shows (the journal keeps it all). */
const OUTPUT_IN_THREAD = 1_500;

/** A step's reply in the thread as it starts, is taken over, ends or fails; a done step attaches its backup. */
export function stepEventMessage(
  e: CycleEvent,
  of: number,
  cluster: string,
): { text: string; file?: ChatMessage["file"] } {
  const label = `Step ${e.index + 1}/${of}: *${e.step.addon}*`;
  if (e.type === "step-started")
    return {
      text: `▶️ ${label} ${e.resumed ? "resuming after a worker restart" : "starting"}: backup → disable → ${e.step.restoreFrom ? "restore" : "enable"} → verify`,
    };
  if (e.type === "takeover") return { text: `↪️ ${label} taken over from a stopped worker: ${e.decision}.` };
  if (e.type === "step-done") {
    const outputs = e.journal.outputs.map((o) => `• ${o.action}: ${trimOutput(o.output, 300)}`).join("\n");
    const file = e.backupJson ? { name: `backup-${cluster}-${e.step.addon}.json`, content: e.backupJson } : undefined;
    return {
      text: trimOutput(
        `✅ ${label} done (${e.step.currentVersion ?? "?"} → ${e.step.expectedVersion ?? "current"}).\n${outputs}`,
        OUTPUT_IN_THREAD,
      ),
      file,
    };
  }
  const outputs = e.journal.outputs.map((o) => `• ${o.action}: ${trimOutput(o.output, 400)}`).join("\n");
  return { text: trimOutput(`❌ ${label} failed: ${e.error}\n${outputs}`, OUTPUT_IN_THREAD) };
}

/** Another cycle holds the cluster's lock: this plan did not run. */
export function clusterBusyNote(cluster: string, holder: string): string {
  return `⛔ ${cluster} is busy: cycle ${holder} holds it. This plan did not run.`;
}

/** The root's state when another cycle holds the cluster: failed before its first step. */
export function clusterBusyState(cluster: string, holder: string, of: number): CycleRootState {
  return { state: "failed", step: 1, of, addon: `${cluster} busy with cycle ${holder}` };
}

export function cycleFinishedNote(plan: CyclePlan, stepsDone: number): string {
  return `🏁 ${plan.kind === "rollback" ? "Rollback" : "Cycle"} on ${plan.cluster} finished: ${stepsDone} of ${plan.steps.length} step(s) done.`;
}

export function cycleAbortedNote(stepsDone: number, of: number): string {
  return `⏹️ Aborted on request after ${stepsDone} of ${of} step(s); nothing further was changed.`;
}

/**
 * The alert in the channel when a step failed (everyone sees it, not only the thread's readers);
 * `inThread` adds the pointer to the thread when there is one.
 */
export function cycleFailedAlert(
  plan: CyclePlan,
  failedStep: number,
  error: string | undefined,
  inThread: boolean,
): ChatMessage {
  const link = inThread ? " See the thread for its output." : "";
  return {
    text: `🚨 Add-on ${plan.kind} on *${plan.cluster}* failed at step ${failedStep + 1} (${plan.steps[failedStep].addon}): ${trimOutput(error ?? "unknown error", 300)}. The cycle stopped; later steps did not run.${link}`,
  };
}

export const ROLLBACK_OFFERED_NOTE =
  "A rollback to the backups taken during this cycle is offered below; it needs its own approval.";

// The root message of a cycle's thread: one line that always says where the cycle is. It is
// posted "planning" and edited at every change of state (planned, approved, running step N of M,
// done, failed, cancelled, expired, aborted), by whoever makes the change: the plan job, the
// approval engine (votes, ❌, expiry), the abort command or the run job. Before, the root kept
// saying "planning" after a dry run, an abort or a ❌.
import type { ChatMessage, ChatPoster, PlatformTraits, ReplyAddress, Requester } from "../chat/types.ts";
import { dayOf, type Tone } from "../render/richMessage.ts";
import type { CyclePlan } from "./types.ts";

export type CycleRootState =
  | { state: "planning" }
  | { state: "planned"; steps: number; required: number }
  | { state: "dry-run"; steps: number }
  | { state: "nothing-to-do"; why: string }
  | { state: "could-not-plan"; why: string }
  | { state: "re-planned" }
  | { state: "approved"; by: string[] }
  | { state: "running"; step: number; of: number; addon: string }
  | { state: "done"; steps: number }
  | { state: "failed"; step: number; of: number; addon: string }
  | { state: "cancelled"; by?: string }
  | { state: "expired" }
  | { state: "abort-requested"; by: string }
  | { state: "aborted"; after: number; of: number };

/** Posts a note in a plan's thread and edits its root (the approval engine, which has the posters). */
export type CycleNotifier = (planId: string, text: string, state: CycleRootState) => Promise<void>;

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

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** How the root names people: its platform's mentions. */
type Mentions = Pick<PlatformTraits, "mention">;

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

/** Edits the root of a cycle's thread; a reply address without a root (tests, old jobs) is left alone. */
export async function updateCycleRoot(
  poster: ChatPoster,
  reply: ReplyAddress,
  subject: CycleRootSubject,
  state: CycleRootState,
): Promise<void> {
  if (!reply.rootMessage) return;
  await poster.update(reply.channel, reply.rootMessage, cycleRootMessage(subject, state, poster.traits));
}

// The approval engine's chat text: the request under a plan, what each vote does in the thread,
// and what a clicker alone is told. Every person arrives already written as the platform writes
// them (its traits' mention), so these sentences are the same on every platform.

/** How a vote was cast: said in the refusals ("the reaction was not counted"). */
export type VoteVia = "reaction" | "button";

export interface ApprovalAsk {
  required: number;
  /** The approvers, as mentions (or the "nobody" text). */
  approvers: string;
  expiresAfterMs: number;
  /** The requester's mention when they may not approve their own plan; absent when they may. */
  selfBarred?: string;
}

/** The request under a plan: how to vote, who may, until when. */
export function approvalAsk(a: ApprovalAsk): string {
  return `React ✅ to approve, ❌ to cancel. Needs ${a.required} of: ${a.approvers}. Expires in ${Math.round(a.expiresAfterMs / 60_000)} minutes.${
    a.selfBarred === undefined ? "" : ` ${a.selfBarred} requested it and cannot approve it.`
  }`;
}

/** Under the structured plan, beside the ask: the buttons vote like reactions. */
export const BUTTONS_HINT = "Or use the buttons: the same rules apply.";

export const NO_APPROVERS = "nobody (no approvers are configured for this cluster)";

/** The approvers as one list, or the "nobody" text. */
export function approverList(mentions: readonly string[]): string {
  return mentions.length ? mentions.join(", ") : NO_APPROVERS;
}

/** A plan posted without a request: a dry run says so; an empty plan says nothing more. */
export function unrequestedPlanText(planText: string, dryRun: boolean): string {
  return `${planText}\n${dryRun ? "_Dry run: no approval requested._" : ""}`.trim();
}

/** A plan with its request, or a decided plan with how it was decided. */
export function planWithNote(planText: string, note: string): string {
  return `${planText}\n\n${note}`;
}

function counted(via: VoteVia): string {
  return via === "reaction" ? "the reaction was" : "your click was";
}

/** Notices for a click that never reaches the rules. */
export const BUTTON_NOTICES = {
  unrelated: "This is not an Upshift approval button; nothing was counted.",
  missing: "This plan is no longer known to Upshift; nothing was counted.",
  stale:
    "This button belongs to an earlier version of the plan; nothing was counted. Use the buttons of the latest plan in the thread.",
} as const;

/** A vote on a plan that is no longer pending. */
export function closedNotice(state: string): string {
  return `This plan is ${state}; nothing was counted.`;
}

/** The approver lookup failed: `notice` for the clicker, `thread` for a reaction's thread. */
export function lookupFailed(who: string, error: string, via: VoteVia): { thread: string; notice: string } {
  const why = `Could not check whether ${who} is an approver (${error}); ${counted(via)} not counted.`;
  return { thread: `⚠️ ${why} Remove and add it again.`, notice: `${why} Try again in a moment.` };
}

export function notApprover(who: string, cluster: string, via: VoteVia): { thread: string; notice: string } {
  return {
    thread: `${who} is not an approver for ${cluster}; the reaction is ignored.`,
    notice: `${who} is not an approver for ${cluster}; ${counted(via)} not counted.`,
  };
}

export function notAllowedHere(
  who: string,
  command: string,
  cluster: string,
  via: VoteVia,
): { thread: string; notice: string } {
  return {
    thread: `${who} is an approver, but the access rules do not allow them /${command} on ${cluster} in this channel; the reaction is ignored.`,
    notice: `You are an approver, but the access rules do not allow you /${command} on ${cluster} in this channel; ${counted(via)} not counted.`,
  };
}

export function selfApproval(who: string, via: VoteVia): { thread: string; notice: string } {
  const c = counted(via);
  return {
    thread: `${who} requested this plan and cannot approve it; another approver must.`,
    notice: `You requested this plan and cannot approve it; another approver must. ${c.replace(/^./, (ch) => ch.toUpperCase())} not counted.`,
  };
}

export const NOTHING_CHANGED = "Nothing changed.";

export function voted(who: string, votes: number, required: number): { thread: string; notice: string } {
  return {
    thread: `✅ ${who} approved (${votes} of ${required}).`,
    notice: `Your approval counted (${votes} of ${required}).`,
  };
}

export function duplicateVoteNotice(votes: number, required: number): string {
  return `You already approved this plan (${votes} of ${required}).`;
}

export function withdrawn(who: string, votes: number, required: number): { thread: string; notice: string } {
  return {
    thread: `↩️ ${who} withdrew their approval (${votes} of ${required}).`,
    notice: "Your approval was withdrawn.",
  };
}

export function cancelled(who: string, cluster: string): { thread: string; planNote: string; notice: string } {
  return {
    thread: `❌ Cancelled by ${who}. Nothing was changed on ${cluster}.`,
    planNote: `❌ Cancelled by ${who}.`,
    notice: "You cancelled the plan.",
  };
}

export const EXPIRED_VOTE_NOTICE =
  "The plan expired before your vote; nothing was counted. Run /upgrade-cycle again for a fresh plan.";
export const COMPLETED_NOTICE = "Your approval completed the plan: it is starting.";
export const STALE_VOTE_NOTICE = "The plan changed since this vote was cast; nothing was counted.";

/** The plan reached its votes. `approvers` are mentions. */
export function approved(
  approvers: readonly string[],
  kind: string,
  cluster: string,
): { thread: string; planNote: string } {
  const names = approvers.join(", ");
  return {
    thread: `🚀 Approved by ${names}. Starting the ${kind} on ${cluster}.`,
    planNote: `🚀 Approved by ${names}.`,
  };
}

export function expired(cluster: string): { thread: string; planNote: string } {
  return {
    thread: `⌛ The plan for ${cluster} expired without enough approvals. Run /upgrade-cycle again for a fresh plan.`,
    planNote: "⌛ Expired without enough approvals.",
  };
}

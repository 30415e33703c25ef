// The approval engine's chat text, word for word: each sentence as the thread and the clicker see
// it, with people written by the platform's traits (Slack's <@id>, the console's @name).
import { describe, expect, it } from "vitest";
import { consoleTraits } from "../../adapters/console/consoleTraits.ts";
import { discordTraits } from "../../adapters/discord/discordTraits.ts";
import { slackTraits } from "../../adapters/slack/slackTraits.ts";
import { describePeople } from "../../src/chat/platformTraits.ts";
import { approvalsSchema } from "../../src/config/schema.ts";
import * as text from "../../src/render/approvals.ts";

const alice = slackTraits.mention({ userId: "U0ALICE" });

describe("approval text", () => {
  it("asks for votes, naming who may and whether the requester may not", () => {
    const ask = {
      required: 2,
      approvers: "<@U0BOB>, <!subteam^S0SRE>",
      expiresAfterMs: 30 * 60_000,
    };
    expect(text.approvalAsk({ ...ask, selfBarred: alice })).toBe(
      "React ✅ to approve, ❌ to cancel. Needs 2 of: <@U0BOB>, <!subteam^S0SRE>. Expires in 30 minutes. <@U0ALICE> requested it and cannot approve it.",
    );
    expect(text.approvalAsk({ ...ask, expiresAfterMs: 90_000 })).toBe(
      "React ✅ to approve, ❌ to cancel. Needs 2 of: <@U0BOB>, <!subteam^S0SRE>. Expires in 2 minutes.",
    );
    expect(text.BUTTONS_HINT).toBe("Or use the buttons: the same rules apply.");
    expect(text.planWithNote("PLAN", "ASK")).toBe("PLAN\n\nASK");
    expect(text.unrequestedPlanText("PLAN", true)).toBe("PLAN\n_Dry run: no approval requested._");
    expect(text.unrequestedPlanText("PLAN", false)).toBe("PLAN");
  });

  it("lists the configured approvers as each platform writes them", () => {
    const cfg = approvalsSchema.parse({
      approvers: {
        slackUsers: ["U0BOB"],
        slackGroups: ["S0SRE"],
        discordUsers: ["100000000000000001"],
        discordRoles: ["400000000000000001"],
        consoleUsers: ["carol"],
      },
    });
    expect(text.approverList(describePeople(slackTraits, cfg.approvers))).toBe("<@U0BOB>, <!subteam^S0SRE>");
    expect(text.approverList(describePeople(discordTraits, cfg.approvers))).toBe(
      "<@100000000000000001>, <@&400000000000000001>",
    );
    expect(text.approverList(describePeople(consoleTraits, cfg.approvers))).toBe("@carol");
    expect(text.approverList(describePeople(slackTraits, approvalsSchema.parse({}).approvers))).toBe(
      "nobody (no approvers are configured for this cluster)",
    );
  });

  it("refuses a vote in the thread and tells the clicker why", () => {
    expect(text.lookupFailed(alice, "timed out", "reaction")).toEqual({
      thread:
        "⚠️ Could not check whether <@U0ALICE> is an approver (timed out); the reaction was not counted. Remove and add it again.",
      notice:
        "Could not check whether <@U0ALICE> is an approver (timed out); the reaction was not counted. Try again in a moment.",
    });
    expect(text.notApprover(alice, "prod", "button")).toEqual({
      thread: "<@U0ALICE> is not an approver for prod; the reaction is ignored.",
      notice: "<@U0ALICE> is not an approver for prod; your click was not counted.",
    });
    expect(text.notAllowedHere(alice, "upgrade-cycle", "prod", "reaction")).toEqual({
      thread:
        "<@U0ALICE> is an approver, but the access rules do not allow them /upgrade-cycle on prod in this channel; the reaction is ignored.",
      notice:
        "You are an approver, but the access rules do not allow you /upgrade-cycle on prod in this channel; the reaction was not counted.",
    });
    expect(text.selfApproval(alice, "button")).toEqual({
      thread: "<@U0ALICE> requested this plan and cannot approve it; another approver must.",
      notice: "You requested this plan and cannot approve it; another approver must. Your click was not counted.",
    });
    expect(text.selfApproval(alice, "reaction").notice).toBe(
      "You requested this plan and cannot approve it; another approver must. The reaction was not counted.",
    );
  });

  it("says what each counted vote did", () => {
    expect(text.voted(alice, 1, 2)).toEqual({
      thread: "✅ <@U0ALICE> approved (1 of 2).",
      notice: "Your approval counted (1 of 2).",
    });
    expect(text.duplicateVoteNotice(1, 2)).toBe("You already approved this plan (1 of 2).");
    expect(text.withdrawn(alice, 0, 2)).toEqual({
      thread: "↩️ <@U0ALICE> withdrew their approval (0 of 2).",
      notice: "Your approval was withdrawn.",
    });
    expect(text.cancelled(alice, "prod")).toEqual({
      thread: "❌ Cancelled by <@U0ALICE>. Nothing was changed on prod.",
      planNote: "❌ Cancelled by <@U0ALICE>.",
      notice: "You cancelled the plan.",
    });
    expect(text.approved(["<@U0ALICE>", "<@U0BOB>"], "rollback", "prod")).toEqual({
      thread: "🚀 Approved by <@U0ALICE>, <@U0BOB>. Starting the rollback on prod.",
      planNote: "🚀 Approved by <@U0ALICE>, <@U0BOB>.",
    });
    expect(text.expired("prod")).toEqual({
      thread: "⌛ The plan for prod expired without enough approvals. Run /upgrade-cycle again for a fresh plan.",
      planNote: "⌛ Expired without enough approvals.",
    });
    expect(text.closedNotice("cancelled")).toBe("This plan is cancelled; nothing was counted.");
    expect([text.NOTHING_CHANGED, text.EXPIRED_VOTE_NOTICE, text.COMPLETED_NOTICE, text.STALE_VOTE_NOTICE]).toEqual([
      "Nothing changed.",
      "The plan expired before your vote; nothing was counted. Run /upgrade-cycle again for a fresh plan.",
      "Your approval completed the plan: it is starting.",
      "The plan changed since this vote was cast; nothing was counted.",
    ]);
    expect(text.BUTTON_NOTICES).toEqual({
      unrelated: "This is not an Upshift approval button; nothing was counted.",
      missing: "This plan is no longer known to Upshift; nothing was counted.",
      stale:
        "This button belongs to an earlier version of the plan; nothing was counted. Use the buttons of the latest plan in the thread.",
    });
  });

  it("writes people by name on the console, where a terminal has no mention syntax", () => {
    const carol = consoleTraits.mention({ userId: "carol" });
    expect(text.voted(carol, 1, 1).thread).toBe("✅ @carol approved (1 of 1).");
    expect(consoleTraits.mention({ userId: "u1", name: "Carol" })).toBe("@Carol");
  });
});

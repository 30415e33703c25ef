// The approval engine against a real Redis: who may approve, one vote per person, withdrawal,
// cancel, expiry, votes bound to the plan hash, exactly one run enqueued, and the audit stream.
import { afterEach, describe, expect, inject, it } from "vitest";
import { decisionOf } from "../../src/approvals/emoji.ts";
import { buildPlan } from "../../src/cycles/plan.ts";
import type { CyclePlan } from "../../src/cycles/types.ts";
import {
  APPROVER,
  APPROVER2,
  FakeMicrok8s,
  fileConfig,
  REQUESTER,
  STRANGER,
  type Stack,
  startStack,
} from "../cycles/harness.ts";

const redisUrl = inject("redisUrl");
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

function fake() {
  return new FakeMicrok8s({
    addons: [
      { name: "hostpath-storage", status: "enabled", version: "1.0.0" },
      { name: "metrics-server", status: "enabled", version: "0.6.3" },
      { name: "ingress", status: "enabled", version: "1.8.0" },
      { name: "dns", status: "enabled", version: "1.10.1" },
      { name: "calico", status: "enabled", version: "3.25.1" },
      { name: "dashboard", status: "disabled", version: "2.7.0" },
    ],
  });
}

async function planFor(s: Stack, addons: string[] = [], dryRun = false): Promise<CyclePlan> {
  return buildPlan({
    cluster: s.cluster,
    addons,
    requester: s.requester,
    dryRun,
    file: fileConfig(),
    drivers: s.drivers(s.cluster),
  });
}

const react = (s: Stack, messageId: string, userId: string, emoji = "white_check_mark", added = true) =>
  s.approvals.onReaction({ platform: "slack", added, userId, emoji, channel: "C1", messageId });

describe("ApprovalEngine", () => {
  it("posts the plan ordered CNI → DNS → Ingress → Storage → rest, asks for approval and seeds ✅/❌", async () => {
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: fake(), withWorker: false });
    const plan = await planFor(stack);
    expect(plan.steps.map((s) => s.addon)).toEqual(["calico", "dns", "ingress", "hostpath-storage", "metrics-server"]);
    expect(plan.steps.find((s) => s.addon === "hostpath-storage")?.holdsData).toBe(true);
    const req = await stack.approvals.requestApproval(plan, stack.reply);
    const msg = stack.poster.thread().find((m) => m.id === req.messageId)!;
    expect(msg.text).toMatch(/1\. \*calico\* \(cni, microk8s\) 3\.25\.1/);
    expect(msg.text.indexOf("*dns*")).toBeLessThan(msg.text.indexOf("*ingress*"));
    expect(msg.text).toContain(
      `React ✅ to approve, ❌ to cancel. Needs 1 of: <@${APPROVER}>, <@${APPROVER2}>, <@${REQUESTER}>. Expires in 30 minutes.`,
    );
    expect(msg.text).toMatch(/disrupts: pod networking/);
    expect(stack.poster.log.filter((m) => m.kind === "react").map((m) => m.text)).toEqual(["white_check_mark", "x"]);
  });

  it("a dry run posts the plan without an approval request", async () => {
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: fake(), withWorker: false });
    const req = await stack.approvals.requestApproval(await planFor(stack, ["dns"], true), stack.reply);
    expect(stack.poster.texts().join("\n")).not.toContain("React ✅");
    expect(await react(stack, req.messageId, APPROVER)).toBe("unrelated");
  });

  it("an approver's ✅ approves once and enqueues exactly one run", async () => {
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: fake(), withWorker: false });
    const req = await stack.approvals.requestApproval(await planFor(stack, ["dns"]), stack.reply);
    expect(await react(stack, req.messageId, APPROVER)).toBe("approved");
    expect(await react(stack, req.messageId, APPROVER2)).toBe("closed");
    const job = await stack.control.queue.getJob(`run.${req.planId}`);
    expect(job?.data).toMatchObject({
      kind: "cycle-run",
      planId: req.planId,
      planHash: req.hash,
      approvedBy: [APPROVER],
    });
    expect((await stack.approvals.plans.get(req.planId))?.state).toBe("approved");
    expect(stack.poster.count(/Approved by <@UAPPROVER1>/)).toBe(1);
  });

  it("ten approvers reacting at once on a 2-vote plan start the run exactly once", async () => {
    const users = Array.from({ length: 10 }, (_, i) => `UPAR${i}`);
    const file = fileConfig({ approvals: { required: 2, approvers: { slackUsers: users } } });
    stack = await startStack({ redisUrl, file, microk8s: fake(), withWorker: false });
    const req = await stack.approvals.requestApproval(await planFor(stack, ["dns"]), stack.reply);
    const outcomes = await Promise.all(users.map((u) => react(stack!, req.messageId, u)));
    expect(outcomes.filter((o) => o === "approved")).toHaveLength(1);
    expect(await stack.control.queue.getJobCounts("wait", "waiting")).toMatchObject({ wait: 1 });
    const audit = await stack.approvals.audit.entries();
    expect(audit.filter((e) => e.action === "approved")).toHaveLength(1);
  });

  it("ignores a non-approver and says so once per person", async () => {
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: fake(), withWorker: false });
    const req = await stack.approvals.requestApproval(await planFor(stack, ["dns"]), stack.reply);
    expect(await react(stack, req.messageId, STRANGER)).toBe("not-approver");
    expect(await react(stack, req.messageId, STRANGER, "white_check_mark", false)).toBe("not-approver");
    expect(await react(stack, req.messageId, STRANGER, "heavy_check_mark")).toBe("not-approver");
    expect(stack.poster.count(new RegExp(`<@${STRANGER}> is not an approver for sandbox`))).toBe(1);
    expect((await stack.approvals.plans.get(req.planId))?.state).toBe("pending");
  });

  it("refuses self-approval unless allowSelfApproval", async () => {
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: fake(), withWorker: false });
    const req = await stack.approvals.requestApproval(await planFor(stack, ["dns"]), stack.reply);
    expect(await react(stack, req.messageId, REQUESTER)).toBe("self-approval");
    expect(await react(stack, req.messageId, REQUESTER)).toBe("self-approval");
    expect(stack.poster.count(/requested this plan and cannot approve it/)).toBe(1);
    expect((await stack.approvals.plans.get(req.planId))?.state).toBe("pending");
    await stack.close();

    stack = await startStack({
      redisUrl,
      file: fileConfig({ approvals: { allowSelfApproval: true } }),
      microk8s: fake(),
      withWorker: false,
    });
    const req2 = await stack.approvals.requestApproval(await planFor(stack, ["dns"]), stack.reply);
    expect(await react(stack, req2.messageId, REQUESTER)).toBe("approved");
  });

  it("one ❌ from an approver cancels; later ✅ change nothing", async () => {
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: fake(), withWorker: false });
    const req = await stack.approvals.requestApproval(await planFor(stack, ["dns"]), stack.reply);
    expect(await react(stack, req.messageId, APPROVER2, "x")).toBe("cancelled");
    expect(await react(stack, req.messageId, APPROVER)).toBe("closed");
    expect((await stack.approvals.plans.get(req.planId))?.state).toBe("cancelled");
    expect(await stack.control.queue.getJob(`run.${req.planId}`)).toBeUndefined();
    expect(stack.poster.count(/Cancelled by <@UAPPROVER2>/)).toBe(1);
  });

  it("removing a reaction withdraws the vote; the same person never counts twice", async () => {
    const file = fileConfig({ approvals: { required: 2 } });
    stack = await startStack({ redisUrl, file, microk8s: fake(), withWorker: false });
    const req = await stack.approvals.requestApproval(await planFor(stack, ["dns"]), stack.reply);
    expect(await react(stack, req.messageId, APPROVER)).toBe("voted");
    expect(await react(stack, req.messageId, APPROVER, "heavy_check_mark")).toBe("duplicate");
    expect(await react(stack, req.messageId, APPROVER, "white_check_mark", false)).toBe("withdrawn");
    expect(await react(stack, req.messageId, APPROVER2)).toBe("voted");
    expect((await stack.approvals.plans.get(req.planId))?.state).toBe("pending");
    expect(await react(stack, req.messageId, APPROVER)).toBe("approved");
    expect(stack.poster.count(/withdrew their approval \(0 of 2\)/)).toBe(1);
  });

  it("expires: a late reaction is refused and the sweeper says so in the thread", async () => {
    let now = Date.now();
    stack = await startStack({
      redisUrl,
      file: fileConfig({ approvals: { expiresAfter: "10m" } }),
      microk8s: fake(),
      withWorker: false,
      now: () => now,
    });
    const req = await stack.approvals.requestApproval(await planFor(stack, ["dns"]), stack.reply);
    const req2 = await stack.approvals.requestApproval(await planFor(stack, ["ingress"]), stack.reply);
    now += 10 * 60_000 + 1;
    expect(await react(stack, req.messageId, APPROVER)).toBe("expired");
    expect((await stack.approvals.sweep()).expired).toEqual([req2.planId]);
    expect((await stack.approvals.plans.get(req2.planId))?.state).toBe("expired");
    expect(stack.poster.count(/expired without enough approvals/)).toBe(2);
    expect(await stack.control.queue.getJob(`run.${req.planId}`)).toBeUndefined();
  });

  it("votes are bound to the plan: a re-made plan starts from zero", async () => {
    const file = fileConfig({ approvals: { required: 2 } });
    const m = fake();
    stack = await startStack({ redisUrl, file, microk8s: m, withWorker: false });
    const first = await stack.approvals.requestApproval(await planFor(stack, ["dns"]), stack.reply);
    expect(await react(stack, first.messageId, APPROVER)).toBe("voted");
    m.update((s) => {
      s.addons.find((a) => a.name === "dns")!.version = "1.11.1";
    });
    const second = await stack.approvals.requestApproval(await planFor(stack, ["dns"]), stack.reply);
    expect(second.hash).not.toBe(first.hash);
    expect(await react(stack, second.messageId, APPROVER2)).toBe("voted");
    expect((await stack.approvals.plans.get(second.planId))?.state).toBe("pending");
  });

  it("Slack user groups count through the injected lookup, cached", async () => {
    let lookups = 0;
    const file = fileConfig({ approvals: { approvers: { slackUsers: [], slackGroups: ["S0614TZR7"] } } });
    stack = await startStack({
      redisUrl,
      file,
      microk8s: fake(),
      withWorker: false,
      groupMembers: async (g) => {
        lookups++;
        return g === "S0614TZR7" ? ["UGROUPMEMBER"] : [];
      },
    });
    const req = await stack.approvals.requestApproval(await planFor(stack, ["dns"]), stack.reply);
    expect(await react(stack, req.messageId, STRANGER)).toBe("not-approver");
    expect(await react(stack, req.messageId, "UGROUPMEMBER")).toBe("approved");
    expect(lookups).toBe(1);
  });

  it("Discord: unicode emoji, user ids and role ids from the event; reactions are seeded in the thread channel", async () => {
    const ROLE = "123456789012345678";
    const file = fileConfig({
      approvals: { required: 2, approvers: { slackUsers: [], discordUsers: ["222222222222"], discordRoles: [ROLE] } },
    });
    stack = await startStack({ redisUrl, file, microk8s: fake(), withWorker: false });
    const reply = {
      platform: "discord" as const,
      channel: "900000000001",
      thread: "900000000002",
      guild: "900000000000",
    };
    const plan = {
      ...(await planFor(stack, ["dns"])),
      requester: { platform: "discord" as const, userId: "333333333333" },
    };
    const req = await stack.approvals.requestApproval(plan, reply);
    const ask = stack.discord.thread().find((m) => m.id === req.messageId)!;
    expect(ask.text).toContain(`Needs 2 of: <@222222222222>, <@&${ROLE}>.`);
    expect(stack.discord.log.filter((m) => m.kind === "react").map((m) => [m.channel, m.text])).toEqual([
      ["900000000002", "✅"],
      ["900000000002", "❌"],
    ]);
    const on = (userId: string, emoji: string, roles?: string[], added = true) =>
      stack!.approvals.onReaction({
        platform: "discord",
        added,
        userId,
        emoji,
        channel: "900000000002",
        messageId: req.messageId,
        guild: "900000000000",
        roles,
      });
    // The same message id seen from Slack is another platform's message: unrelated.
    expect(await react(stack, req.messageId, APPROVER)).toBe("unrelated");
    expect(await on("444444444444", "✅", ["555555555555"])).toBe("not-approver");
    expect(await on("444444444444", "✅\uFE0F", [ROLE])).toBe("voted");
    expect(await on("222222222222", "👍")).toBe("ignored-emoji");
    expect(await on("222222222222", "✅")).toBe("approved");
    expect(stack.discord.count(/<@444444444444> is not an approver for sandbox/)).toBe(1);
    expect(decisionOf("✔️")).toBe("approve");
    expect(decisionOf("white_check_mark::skin-tone-3")).toBe("approve");
    expect(decisionOf("thumbsup")).toBeUndefined();
  });

  it("appends every decision to the audit stream with who, what and the plan hash", async () => {
    stack = await startStack({
      redisUrl,
      file: fileConfig({ approvals: { required: 2 } }),
      microk8s: fake(),
      withWorker: false,
    });
    const req = await stack.approvals.requestApproval(await planFor(stack, ["dns"]), stack.reply);
    await react(stack, req.messageId, STRANGER);
    await react(stack, req.messageId, APPROVER);
    await react(stack, req.messageId, APPROVER, "white_check_mark", false);
    await react(stack, req.messageId, APPROVER2, "x");
    const entries = await stack.approvals.audit.entries();
    expect(entries.map((e) => [e.action, e.who])).toEqual([
      ["requested", REQUESTER],
      ["refused-not-approver", STRANGER],
      ["approve", APPROVER],
      ["withdraw", APPROVER],
      ["cancel", APPROVER2],
    ]);
    for (const e of entries) expect(e).toMatchObject({ planId: req.planId, planHash: req.hash, cluster: "sandbox" });
    expect(entries[0].at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

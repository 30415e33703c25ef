// Approve / Cancel buttons on an approval plan over Slack, every hop over a real socket: the plan
// posted through the WebClient with its Block Kit buttons, clicks sent to the real Bolt app as
// Slack sends them (signed, form-encoded `payload=` block_actions), the same approval engine on
// real Redis deciding, and refusals answered to the clicker only through the response_url.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import { ACTION_IDS } from "../../adapters/slack/blockKit.ts";
import { createSlackApp } from "../../adapters/slack/slackApp.ts";
import { SlackPoster } from "../../adapters/slack/slackPoster.ts";
import { CommandRouter } from "../../commands/router.ts";
import { ApprovalEngine } from "../../src/approvals/approvalEngine.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import type { CyclePlan } from "../../src/cycles/types.ts";
import type { CycleRunJobData } from "../../src/queue/jobs.ts";
import { APPROVER, fileConfig, REQUESTER, STRANGER, silent } from "../cycles/harness.ts";
import { type FakeMessage, FakeSlackApi, waitFor } from "../fakes/fakeSlackApi.ts";
import { blockViolations } from "../fakes/slackBlockLimits.ts";
import { blockActionsBody, postSigned } from "../fakes/slackSigning.ts";

const SECRET = "3c1f0b8e9a7d6c5b4a3f2e1d0c9b8a7f";
const CHANNEL = "C0APPROVE";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function plan(): CyclePlan {
  return {
    id: randomUUID(),
    kind: "cycle",
    cluster: "edge",
    createdAt: new Date().toISOString(),
    requester: { platform: "slack", userId: REQUESTER },
    dryRun: false,
    steps: [
      {
        addon: "dns",
        driver: "microk8s",
        category: "dns",
        namespace: "kube-system",
        currentVersion: "1.10.1",
        disrupts: "cluster DNS",
        holdsData: true,
        backup: "objects in kube-system",
        keepKinds: ["Secret"],
        timeoutMs: 300_000,
      },
    ],
  };
}

async function stack(opts: { now?: () => number } = {}) {
  const fake = await FakeSlackApi.start();
  const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  const runs: CycleRunJobData[] = [];
  const poster = new SlackPoster({ botToken: fake.botToken, slackApiUrl: fake.apiUrl, logger: silent });
  const approvals = new ApprovalEngine({
    redis,
    prefix: `t-buttons-${randomUUID().slice(0, 8)}`,
    posters: new PosterRegistry([poster]),
    file: fileConfig({ approvals: { expiresAfter: "30m" } }),
    onApproved: async (run) => {
      runs.push(run);
    },
    logger: silent,
    now: opts.now,
  });
  const slack = createSlackApp({
    botToken: fake.botToken,
    signingSecret: SECRET,
    slackApiUrl: fake.apiUrl,
    port: 0,
    router: new CommandRouter([]),
    logger: silent,
    onButton: (click) => approvals.onButton(click),
  });
  await slack.start();
  cleanups.push(async () => {
    await slack.stop();
    redis.disconnect();
    await fake.close();
  });
  const root = await poster.postRoot(CHANNEL, { text: "*Add-on cycle for edge*: planning" });
  const p = plan();
  const req = await approvals.requestApproval(p, {
    platform: "slack",
    channel: CHANNEL,
    rootMessage: root.id,
    thread: root.thread,
  });
  const message = fake.message(CHANNEL, req.messageId)!;
  const events = `http://127.0.0.1:${slack.port()}/slack/events`;
  // The values as posted: a decided plan loses its buttons, a client may still show the old ones.
  const values = { approve: buttonOf(message, "approve").value, cancel: buttonOf(message, "cancel").value };
  let n = 0;
  /** Clicks a button of the plan message as `user`; resolves with what the clicker was told. */
  const click = async (user: string, kind: "approve" | "cancel", value = values[kind]) => {
    const id = `click-${++n}`;
    const res = await postSigned(
      events,
      blockActionsBody({
        user,
        channel: CHANNEL,
        messageTs: message.ts,
        threadTs: root.thread,
        actionId: ACTION_IDS[kind],
        value,
        responseUrl: fake.responseUrl(id),
      }),
      { signingSecret: SECRET },
    );
    expect(res.status).toBe(200);
    const answer = await waitFor(() => fake.responses.find((r) => r.path === `/respond/${id}`), 10_000, "the answer");
    return answer.body as { response_type: string; replace_original: boolean; text: string };
  };
  return { fake, approvals, runs, root, plan: p, message, events, click, values };
}

function buttonOf(m: FakeMessage, kind: "approve" | "cancel"): { value: string; action_id: string } {
  const actions = (m.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find(
    (b) => b.type === "actions",
  );
  return actions!.elements!.find((e) => e.action_id === ACTION_IDS[kind])!;
}

describe("approval buttons over Slack", () => {
  it("posts the plan in Block Kit with Approve / Cancel buttons bound to the plan hash, within Slack's limits", async () => {
    const s = await stack();
    expect(blockViolations(s.message.blocks)).toEqual([]);
    expect(s.fake.refusedBlocks).toEqual([]);
    const stored = await s.approvals.plans.get(s.plan.id);
    expect(buttonOf(s.message, "approve").value).toBe(`${s.plan.id}:${stored!.hash.slice(0, 16)}`);
    expect(buttonOf(s.message, "cancel").value).toBe(buttonOf(s.message, "approve").value);
    expect(s.message.text).toContain("React ✅ to approve");
  });

  it("refuses a stranger, the requester and a stale button to the clicker only, then an approver's click approves once", async () => {
    const s = await stack();
    const repliesBefore = s.fake.replies(CHANNEL, s.root.thread).length;

    const stranger = await s.click(STRANGER, "approve");
    expect(stranger).toEqual({
      response_type: "ephemeral",
      replace_original: false,
      text: `<@${STRANGER}> is not an approver for edge; your click was not counted.`,
    });
    const self = await s.click(REQUESTER, "approve");
    expect(self.text).toBe(
      "You requested this plan and cannot approve it; another approver must. Your click was not counted.",
    );
    // A button whose hash is not the plan's (an earlier plan's, or a forged value) is refused.
    const stale = await s.click(APPROVER, "approve", `${s.plan.id}:${"0".repeat(16)}`);
    expect(stale.text).toMatch(/^This button belongs to an earlier version of the plan; nothing was counted\./);
    expect(s.runs).toEqual([]);
    // Refusals went to the clicker, not into the thread.
    expect(s.fake.replies(CHANNEL, s.root.thread)).toHaveLength(repliesBefore);

    const ok = await s.click(APPROVER, "approve");
    expect(ok.text).toBe("Your approval completed the plan: it is starting.");
    expect(s.runs).toHaveLength(1);
    expect(s.runs[0]).toMatchObject({ planId: s.plan.id, approvedBy: [APPROVER] });
    const thread = s.fake.replies(CHANNEL, s.root.thread).map((r) => r.text);
    expect(thread).toContain(`🚀 Approved by <@${APPROVER}>. Starting the cycle on edge.`);
    // The root says so, in its text and its header.
    const root = s.fake.message(CHANNEL, s.root.id)!;
    expect(root.text).toContain(`*approved* by <@${APPROVER}>, starting`);
    // The decided plan loses its buttons and says how it was decided.
    const decided = s.fake.message(CHANNEL, s.message.ts)!;
    expect((decided.blocks as Array<{ type: string }>).some((b) => b.type === "actions")).toBe(false);
    expect(decided.text).toContain(`🚀 Approved by <@${APPROVER}>.`);
    // A click on a button still showing somewhere changes nothing.
    expect((await s.click(APPROVER, "approve")).text).toBe("This plan is approved; nothing was counted.");
    expect(s.runs).toHaveLength(1);
    const actions = (await s.approvals.audit.entries()).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(["requested", "refused-not-approver", "refused-self", "refused-stale", "approved"]),
    );
  });

  it("Cancel by an approver cancels; a click after expiry is refused", async () => {
    const s = await stack();
    expect((await s.click(APPROVER, "cancel")).text).toBe("You cancelled the plan.");
    expect(s.fake.replies(CHANNEL, s.root.thread).map((r) => r.text)).toContain(
      `❌ Cancelled by <@${APPROVER}>. Nothing was changed on edge.`,
    );
    expect((await s.approvals.plans.get(s.plan.id))?.state).toBe("cancelled");

    let clock = Date.now();
    const t = await stack({ now: () => clock });
    clock += 31 * 60_000;
    const late = await t.click(APPROVER, "approve");
    expect(late.text).toBe(
      "The plan expired before your vote; nothing was counted. Run /upgrade-cycle again for a fresh plan.",
    );
    expect(t.runs).toEqual([]);
    expect((await t.approvals.plans.get(t.plan.id))?.state).toBe("expired");
  });

  it("a click from another Slack workspace is acked and counts nothing", async () => {
    const s = await stack();
    const body = new URLSearchParams(
      blockActionsBody({
        user: APPROVER,
        channel: CHANNEL,
        messageTs: s.message.ts,
        actionId: ACTION_IDS.approve,
        value: s.values.approve,
        responseUrl: s.fake.responseUrl("foreign"),
      }),
    );
    const payload = JSON.parse(body.get("payload")!);
    payload.team = { id: "T0OTHER", domain: "elsewhere" };
    const res = await postSigned(s.events, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), {
      signingSecret: SECRET,
    });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.runs).toEqual([]);
    expect((await s.approvals.plans.get(s.plan.id))?.state).toBe("pending");
    expect(s.fake.responses.filter((r) => r.path === "/respond/foreign")).toEqual([]);
  });

  it("a click whose signature does not verify is refused by Bolt and counts nothing", async () => {
    const s = await stack();
    const body = blockActionsBody({
      user: APPROVER,
      channel: CHANNEL,
      messageTs: s.message.ts,
      actionId: ACTION_IDS.approve,
      value: s.values.approve,
      responseUrl: s.fake.responseUrl("forged"),
    });
    const forged = await postSigned(s.events, body, { signingSecret: "not-the-signing-secret-of-the-app" });
    expect(forged.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.runs).toEqual([]);
    expect((await s.approvals.plans.get(s.plan.id))?.state).toBe("pending");
  });
});

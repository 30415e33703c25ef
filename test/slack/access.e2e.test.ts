// Access rules, workspace check and safe echoes through the real Bolt app: signed slash commands
// and reaction events, the production router (commands/index.ts) and approval engine on real
// Redis, and Slack group membership read from the fake Web API's usergroups.users.list. "Nothing
// was queued" is read from the BullMQ queues in Redis, not taken from the reply.
import { randomBytes } from "node:crypto";
import { Job } from "bullmq";
import { afterEach, describe, expect, inject, it } from "vitest";
import { platformTraits } from "../../adapters/platformTraits.ts";
import { createSlackApp, FOREIGN_WORKSPACE_TEXT } from "../../adapters/slack/slackApp.ts";
import { SlackPoster } from "../../adapters/slack/slackPoster.ts";
import { createAccessPolicy, createApprovals, createControls } from "../../cli/compose.ts";
import { createRouter } from "../../commands/index.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import type { ReactionEvent } from "../../src/chat/reactions.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import type { CyclePlan } from "../../src/cycles/types.ts";
import { producerConnection } from "../../src/redis/connection.ts";
import { FakeSlackApi, type FakeSlackApiOptions, waitFor } from "../fakes/fakeSlackApi.ts";
import { postSigned, reactionEventBody, type SlashCommandFields, slashCommandBody } from "../fakes/slackSigning.ts";
import { countJobs, quietLogger, SIGNING_SECRET } from "./harness.ts";

const PROD = "C0PROD001";
const STAGING = "C0STAGING";
const RANDOM = "C0RANDOM";
const SRE_GROUP = "S0SRE";
/** An approver who is not in the SRE group. */
const APPROVER = "U0APPROVER";
/** An approver in the SRE group. */
const SRE_APPROVER = "U0SREAPPR";
/** In the SRE group, not an approver. */
const SRE = "U0SRE";
const REQUESTER = "U0REQUESTER";
const STRANGER = "U0STRANGER";
const INJECTION = "<!here><https://evil.example|Approve_here>";

const file = fileConfigSchema.parse({
  approvals: { approvers: { slackUsers: [APPROVER, SRE_APPROVER] } },
  access: {
    rules: [
      { channels: { slack: [PROD] }, clusters: ["prod"], commands: ["upgrade-check", "upgrade-status"] },
      {
        channels: { slack: [PROD] },
        clusters: ["prod"],
        commands: ["upgrade-cycle", "upgrade-cycle-abort"],
        users: { slackGroups: [SRE_GROUP] },
      },
      { channels: { slack: [STAGING] }, clusters: ["staging", "dev"] },
    ],
  },
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function stack(fakeOptions: FakeSlackApiOptions = {}) {
  const fake = await FakeSlackApi.start({ usergroups: { [SRE_GROUP]: [SRE, SRE_APPROVER] }, ...fakeOptions });
  cleanups.push(() => fake.close());
  const logger = quietLogger();
  const prefix = `t-access-${randomBytes(4).toString("hex")}`;
  const redis = producerConnection(inject("redisUrl"));
  const poster = new SlackPoster({ botToken: fake.botToken, slackApiUrl: fake.apiUrl, logger });
  // As cli/services.ts wires it: the poster's own lookup against the fake Web API.
  const groupMembers = (group: string) => poster.groupMembers(group);
  const controls = createControls(redis, prefix, { file, groupMembers });
  const access = createAccessPolicy({ file, groupMembers, logger });
  const approvals = createApprovals({
    redis,
    prefix,
    posters: new PosterRegistry([poster]),
    file,
    controls,
    groupMembers,
    access,
    logger,
  });
  const router = createRouter({
    platforms: platformTraits,
    clusters: { names: () => ["prod", "staging", "dev"], defaultName: () => undefined },
    jobs: controls.jobs,
    statusQueue: controls.statusQueue,
    watch: controls.watch,
    cycles: controls.cycles,
    access,
  });
  const reactions: ReactionEvent[] = [];
  const slack = createSlackApp({
    botToken: fake.botToken,
    signingSecret: SIGNING_SECRET,
    slackApiUrl: fake.apiUrl,
    port: 0,
    router,
    logger,
    onReaction: async (e) => {
      reactions.push(e);
      await approvals.onReaction(e);
    },
  });
  await slack.start();
  cleanups.push(async () => {
    await slack.stop();
    await controls.close();
    redis.disconnect();
  });
  const events = `http://127.0.0.1:${slack.port()}/slack/events`;
  const send = async (command: string, text: string, fields: Partial<SlashCommandFields> = {}) => {
    const res = await postSigned(
      events,
      slashCommandBody({ command, text, channel_id: STAGING, user_id: REQUESTER, ...fields }),
      { signingSecret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    expect(res.json?.response_type).toBe("ephemeral");
    return res.json?.text ?? "";
  };
  const react = (user: string, channel: string, ts: string, team_id?: string) =>
    postSigned(
      events,
      reactionEventBody({ type: "reaction_added", user, reaction: "white_check_mark", channel, ts, team_id }),
      { signingSecret: SIGNING_SECRET, contentType: "application/json" },
    );
  /** Every job in every queue (check, cycle, watch, status), read from Redis. */
  const queued = async () => (await Promise.all(controls.all().map((q) => countJobs(q)))).reduce((a, b) => a + b, 0);
  /** A pending plan awaiting approval in `channel`'s thread, as the worker would post it. */
  const pendingPlan = async (cluster: string, channel: string, requester: string) => {
    const root = await poster.postRoot(channel, { text: `*Add-on cycle for ${cluster}*: planning` });
    const plan: CyclePlan = {
      id: `cycle-${randomBytes(4).toString("hex")}`,
      kind: "cycle",
      cluster,
      createdAt: new Date().toISOString(),
      requester: { platform: "slack", userId: requester },
      dryRun: false,
      steps: [
        {
          addon: "dns",
          driver: "microk8s",
          category: "dns",
          disrupts: "name resolution",
          holdsData: false,
          backup: "the CoreDNS ConfigMap",
          keepKinds: [],
          timeoutMs: 60_000,
        },
      ],
    };
    const request = await approvals.requestApproval(plan, {
      platform: "slack",
      channel,
      rootMessage: root.id,
      thread: root.thread,
    });
    return { plan, request, root };
  };
  return { fake, controls, approvals, send, react, queued, pendingPlan, reactions };
}

describe("access rules over Slack", () => {
  it("channel: a channel no rule names is refused, says so, and queues nothing", async () => {
    const s = await stack();
    const text = await s.send("/upgrade-check", "staging", { channel_id: RANDOM });
    expect(text).toBe(
      "Refused: /upgrade-check on staging is not allowed in this channel. Here you may use no cluster: no access rule allows you Upshift in this channel. Nothing was queued. Access is granted in upshift.yaml (access.rules).",
    );
    expect(await s.queued()).toBe(0);
  });

  it("cluster: only the channel's clusters may be named; the refusal lists them", async () => {
    const s = await stack();
    const refused = await s.send("/upgrade-check", "staging", { channel_id: PROD });
    expect(refused).toBe(
      "Refused: /upgrade-check on staging is not allowed in this channel. Here you may use: prod (/upgrade-check, /upgrade-status). Nothing was queued. Access is granted in upshift.yaml (access.rules).",
    );
    expect(await s.queued()).toBe(0);
    expect(await s.send("/upgrade-check", "prod", { channel_id: PROD })).toMatch(/^Queued upgrade check of prod\./);
    const jobs = await s.controls.jobs.check.getJobs(["wait", "prioritized", "delayed", "active"]);
    expect(jobs.map((j) => j.data)).toMatchObject([{ kind: "check", cluster: "prod", reply: { channel: PROD } }]);
  });

  it("command: a rule's commands are the only ones allowed there", async () => {
    const s = await stack();
    expect(await s.send("/upgrade-watch", "prod", { channel_id: PROD })).toMatch(
      /^Refused: \/upgrade-watch on prod is not allowed in this channel\. Here you may use: prod \(\/upgrade-check, \/upgrade-status\)\./,
    );
    expect(await s.send("/upgrade-cycle-status", "prod", { channel_id: PROD })).toMatch(/^Refused: /);
    expect(await s.queued()).toBe(0);
    expect(await s.send("/upgrade-status", "prod", { channel_id: PROD })).toBe(
      "Gathering the status of prod; it will post in this channel.",
    );
    expect(await countJobs(s.controls.statusQueue)).toBe(1);
  });

  it("users: a Slack group member may plan a cycle on prod, anyone else is refused", async () => {
    const s = await stack();
    const refused = await s.send("/upgrade-cycle", "prod", { channel_id: PROD, user_id: STRANGER });
    // The stranger sees what they may do here: not the group's cycle rule.
    expect(refused).toBe(
      "Refused: /upgrade-cycle on prod is not allowed in this channel. Here you may use: prod (/upgrade-check, /upgrade-status). Nothing was queued. Access is granted in upshift.yaml (access.rules).",
    );
    expect(await s.queued()).toBe(0);
    expect(await s.send("/upgrade-cycle", "prod", { channel_id: PROD, user_id: SRE })).toMatch(
      /^Planning an add-on cycle of all enabled add-ons on prod\./,
    );
    const jobs = await s.controls.cycles.queue.getJobs(["wait", "prioritized", "delayed", "active"]);
    expect(jobs.map((j) => j.data)).toMatchObject([
      { kind: "cycle-plan", cluster: "prod", requester: { userId: SRE } },
    ]);
    expect(s.fake.callsOf("usergroups.users.list").map((c) => c.body.usergroup)).toContain(SRE_GROUP);
  });

  it("replies name only the clusters allowed here, and a channel with one acts on it by default", async () => {
    const s = await stack();
    const random = await s.send("/upgrade-check", "produ", { channel_id: RANDOM });
    expect(random).toBe(
      'unknown cluster context "produ". No cluster may be named here with /upgrade-check (access rules). Usage: /upgrade-check [context|all] [target version]',
    );
    expect(await s.send("/upgrade-status", "produ", { channel_id: STAGING })).toBe(
      'unknown cluster context "produ". Valid contexts: `staging`, `dev`.',
    );
    expect(await s.send("/upgrade-status", "", { channel_id: STAGING })).toBe(
      "Name the cluster: there is more than one context. Valid contexts: `staging`, `dev`.",
    );
    expect(await s.send("/upgrade-check", "", { channel_id: PROD })).toMatch(/^Queued upgrade check of prod\./);
    expect(await countJobs(s.controls.jobs.check)).toBe(1);
  });

  it("all: the clusters allowed in the channel; none allowed is a refusal", async () => {
    const s = await stack();
    expect(await s.send("/upgrade-check", "all", { channel_id: STAGING })).toBe(
      "Queued checks of 2 clusters. A summary will follow in this channel.",
    );
    const [fleet] = await s.controls.jobs.check.getJobs(["wait", "prioritized", "delayed", "active"]);
    expect(fleet.data).toMatchObject({ kind: "fleet", clusters: ["staging", "dev"] });
    // A channel whose rule does not cover the fleet's clusters does not share its run.
    expect(await s.send("/upgrade-check", "all", { channel_id: PROD })).toBe(
      "Queued checks of 1 clusters. A summary will follow in this channel.",
    );
    expect(await s.send("/upgrade-check", "all", { channel_id: RANDOM })).toMatch(
      /^Refused: \/upgrade-check all: no cluster is allowed for \/upgrade-check in this channel\./,
    );
    expect(await countJobs(s.controls.jobs.check)).toBe(2);
  });
});

describe("another Slack workspace", () => {
  it("is refused for commands (nothing queued) and ignored for reactions", async () => {
    const s = await stack();
    expect(await s.send("/upgrade-check", "staging", { team_id: "T0OTHER" })).toBe(FOREIGN_WORKSPACE_TEXT);
    const { request } = await s.pendingPlan("staging", STAGING, REQUESTER);
    expect((await s.react(APPROVER, STAGING, request.messageId, "T0OTHER")).status).toBe(200);
    // The same reaction from the bot's own workspace arrives; the foreign one never did.
    await s.react(STRANGER, STAGING, request.messageId);
    await waitFor(() => s.reactions.length === 1, 5_000, "the own workspace's reaction");
    expect(s.reactions.map((r) => r.userId)).toEqual([STRANGER]);
    expect(await s.queued()).toBe(0);
    expect((await s.approvals.plans.get(request.planId))?.state).toBe("pending");
  });

  it("is refused when the enterprise differs from the token's", async () => {
    const s = await stack({ enterpriseId: "E0ORG" });
    expect(await s.send("/upgrade-check", "staging", { enterprise_id: "E0OTHER" })).toBe(FOREIGN_WORKSPACE_TEXT);
    expect(await s.queued()).toBe(0);
    expect(await s.send("/upgrade-check", "staging", { enterprise_id: "E0ORG" })).toMatch(/^Queued/);
    // auth.test was called once, at start.
    expect(s.fake.callsOf("auth.test")).toHaveLength(1);
  });
});

describe("cycle control", () => {
  it("a stranger cannot abort a plan by command; the requester can", async () => {
    const s = await stack();
    const { request } = await s.pendingPlan("staging", STAGING, REQUESTER);
    const refused = await s.send("/upgrade-cycle-abort", "staging", { user_id: STRANGER });
    expect(refused).toBe(
      `Refused: only an approver of staging or the requester of ${request.planId} (<@${REQUESTER}>) may abort it. Nothing was changed.`,
    );
    expect((await s.approvals.plans.get(request.planId))?.state).toBe("pending");
    expect(await s.send("/upgrade-cycle-abort", "staging", { user_id: REQUESTER })).toMatch(
      new RegExp(`^Cancelled the pending plan ${request.planId} for staging`),
    );
    expect((await s.approvals.plans.get(request.planId))?.state).toBe("cancelled");
  });

  it("an approver may abort another's plan", async () => {
    const s = await stack();
    const { request } = await s.pendingPlan("staging", STAGING, REQUESTER);
    expect(await s.send("/upgrade-cycle-abort", "staging", { user_id: APPROVER })).toMatch(
      /^Cancelled the pending plan/,
    );
    expect((await s.approvals.plans.get(request.planId))?.state).toBe("cancelled");
  });

  it("reactions: an approver the rules do not allow /upgrade-cycle here is not counted; access never widens approvers", async () => {
    const s = await stack();
    const { request, root } = await s.pendingPlan("prod", PROD, SRE);
    const thread = () => s.fake.replies(PROD, root.thread).map((m) => m.text);
    await s.react(APPROVER, PROD, request.messageId);
    await waitFor(
      () => thread().some((t) => t.includes(`<@${APPROVER}> is an approver, but the access rules do not allow them`)),
      5_000,
      "the access notice",
    );
    // In the SRE group but no approver: access rules do not make an approver.
    await s.react(SRE, PROD, request.messageId);
    await waitFor(() => thread().some((t) => t.includes(`<@${SRE}> is not an approver`)), 5_000, "the refusal");
    expect((await s.approvals.plans.get(request.planId))?.state).toBe("pending");
    expect(await countJobs(s.controls.cycles.queue)).toBe(0);

    await s.react(SRE_APPROVER, PROD, request.messageId);
    await waitFor(
      async () => (await Job.fromId(s.controls.cycles.queue, `run.${request.planId}`)) !== undefined,
      5_000,
      "the run to be queued",
    );
    expect((await s.approvals.plans.get(request.planId))?.state).toBe("approved");
  });
});

describe("user text in replies", () => {
  it("is escaped: no live @here, no disguised link, no mention", async () => {
    const s = await stack();
    const unknown = await s.send("/upgrade-check", INJECTION);
    expect(unknown).toContain('unknown cluster context "&lt;!here&gt;&lt;https://evil.example|Approve_here&gt;"');
    const target = await s.send("/upgrade-check", `staging 1.32-${INJECTION}`);
    const mention = await s.send("/upgrade-status", "<@U0BOSS>");
    const flag = await s.send("/upgrade-cycle", "staging --<!channel>");
    for (const text of [unknown, target, mention, flag]) {
      expect(text).not.toMatch(/<!|<https?:|<@U0BOSS>/);
    }
    expect(mention).toContain("&lt;@U0BOSS&gt;");
    expect(flag).toContain('unknown option "--&lt;!channel&gt;"');
  });

  it("a 1 MB argument gets a short reply", async () => {
    const s = await stack();
    const text = await s.send("/upgrade-status", "x".repeat(1024 * 1024));
    expect(text.length).toBeLessThan(400);
    expect(text).toContain(`unknown cluster context "${"x".repeat(199)}…"`);
    expect(await s.queued()).toBe(0);
  });
});

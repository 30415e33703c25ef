// Access rules and safe echoes through the real discord.js client: INTERACTION_CREATE and
// MESSAGE_REACTION_ADD from the fake gateway (member roles included), the production router and
// approval engine on real Redis, replies read from the fake REST API. "Nothing was queued" is read
// from the BullMQ queues in Redis.
import { randomBytes } from "node:crypto";
import { Job } from "bullmq";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createDiscordBot, DiscordPoster } from "../../adapters/discord/index.ts";
import { platformTraits } from "../../adapters/platformTraits.ts";
import { createAccessPolicy, createApprovals, createControls } from "../../cli/compose.ts";
import { createRouter } from "../../commands/index.ts";
import type { ReactionOutcome } from "../../src/approvals/approvalEngine.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import type { CyclePlan } from "../../src/cycles/types.ts";
import { createLogger } from "../../src/log.ts";
import { producerConnection } from "../../src/redis/connection.ts";
import { FakeDiscord, type RestCall } from "../fakes/fakeDiscord.ts";
import { countJobs } from "../slack/harness.ts";

const GUILD = "200000000000000001";
const PROD = "300000000000000001";
const STAGING = "300000000000000002";
const RANDOM = "300000000000000003";
const SRE_ROLE = "400000000000000001";
const APPROVER_ROLE = "400000000000000002";
/** fake.interaction's default user. */
const REQUESTER = "100000000000000001";
/** Named in a rule's discordUsers for prod checks of every kind. */
const NAMED = "100000000000000002";
const STRANGER = "100000000000000004";
const APPROVER = "100000000000000005";

const file = fileConfigSchema.parse({
  approvals: { approvers: { discordRoles: [APPROVER_ROLE] } },
  access: {
    rules: [
      { channels: { discord: [PROD] }, clusters: ["prod"], commands: ["upgrade-check"] },
      {
        channels: { discord: [PROD] },
        clusters: ["prod"],
        commands: ["upgrade-cycle", "upgrade-cycle-abort"],
        users: { discordRoles: [SRE_ROLE] },
      },
      { channels: { discord: [PROD] }, clusters: ["prod"], users: { discordUsers: [NAMED] } },
      { channels: { discord: [STAGING] }, clusters: ["staging", "dev"] },
    ],
  },
});
const silent = createLogger("silent");

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function stack() {
  const fake = await FakeDiscord.start({
    guilds: [
      {
        id: GUILD,
        name: "ops",
        channels: [
          { id: PROD, name: "prod" },
          { id: STAGING, name: "staging" },
          { id: RANDOM, name: "random" },
        ],
        roles: [
          { id: SRE_ROLE, name: "sre" },
          { id: APPROVER_ROLE, name: "approvers" },
        ],
      },
    ],
    heartbeatIntervalMs: 2_000,
  });
  cleanups.push(() => fake.close());
  const prefix = `t-discord-access-${randomBytes(4).toString("hex")}`;
  const redis = producerConnection(inject("redisUrl"));
  const controls = createControls(redis, prefix, { file });
  const access = createAccessPolicy({ file });
  const poster = new DiscordPoster({ token: fake.token, apiUrl: fake.url, timeoutMs: 5_000 });
  const approvals = createApprovals({
    redis,
    prefix,
    posters: new PosterRegistry([poster]),
    file,
    controls,
    access,
    logger: silent,
  });
  const contexts = ["prod", "staging", "dev"];
  const router = createRouter({
    platforms: platformTraits,
    clusters: { names: () => contexts, defaultName: () => undefined },
    jobs: controls.jobs,
    statusQueue: controls.statusQueue,
    watch: controls.watch,
    cycles: controls.cycles,
    access,
  });
  const outcomes: Array<{ userId: string; outcome: ReactionOutcome }> = [];
  const bot = createDiscordBot({
    token: fake.token,
    applicationId: fake.applicationId,
    apiUrl: fake.url,
    guildAllowlist: [GUILD],
    router,
    contexts: () => contexts,
    logger: silent,
    onReaction: async (e) => {
      outcomes.push({ userId: e.userId, outcome: await approvals.onReaction(e) });
    },
  });
  await bot.start();
  cleanups.push(async () => {
    await bot.stop();
    await controls.close();
    redis.disconnect();
  });

  /** Runs a slash command and returns the ephemeral reply's edit (content and allowed_mentions). */
  const command = async (
    name: string,
    options: Array<{ name: string; value: string }>,
    opts: { channelId?: string; userId?: string; roles?: string[] } = {},
  ): Promise<RestCall> => {
    const { token } = fake.interaction({
      name,
      options,
      channelId: opts.channelId ?? STAGING,
      user: opts.userId ? { id: opts.userId, username: "someone" } : undefined,
      roles: opts.roles,
    });
    return fake.waitForCall(
      (c) => c.method === "PATCH" && c.path === `/webhooks/${fake.applicationId}/${token}/messages/@original`,
      10_000,
      `the reply to /${name}`,
    );
  };
  const autocomplete = async (channelId: string, typed = "") => {
    const { id } = fake.interaction({
      name: "upgrade-check",
      type: 4,
      channelId,
      options: [{ name: "context", value: typed, focused: true }],
    });
    const answer = await fake.waitForCall((c) => c.path.startsWith(`/interactions/${id}/`), 10_000, "autocomplete");
    return (answer.body.data.choices as Array<{ value: string }>).map((c) => c.value);
  };
  const queued = async () => (await Promise.all(controls.all().map((q) => countJobs(q)))).reduce((a, b) => a + b, 0);
  /** A pending plan awaiting approval in a thread of `channel`, as the worker would post it. */
  const pendingPlan = async (cluster: string, channel: string, requester: string) => {
    const root = await poster.postRoot(channel, { text: `*Add-on cycle for ${cluster}*: planning` });
    const plan: CyclePlan = {
      id: `cycle-${randomBytes(4).toString("hex")}`,
      kind: "cycle",
      cluster,
      createdAt: new Date().toISOString(),
      requester: { platform: "discord", userId: requester },
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
      platform: "discord",
      channel,
      guild: GUILD,
      rootMessage: root.id,
      thread: root.thread,
    });
    return { plan, request, thread: root.thread };
  };
  const decided = async (userId: string, seen: number) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const o = outcomes.slice(seen).find((x) => x.userId === userId);
      if (o) return o.outcome;
      if (Date.now() > deadline) throw new Error(`no outcome for ${userId}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { fake, controls, approvals, command, autocomplete, queued, pendingPlan, outcomes, decided };
}

describe("access rules over Discord", () => {
  it("channel and cluster: refused ephemerally with what the channel allows; nothing queued", async () => {
    const s = await stack();
    const random = await s.command("upgrade-check", [{ name: "context", value: "staging" }], { channelId: RANDOM });
    expect(random.body.content).toBe(
      "Refused: /upgrade-check on staging is not allowed in this channel. Here you may use no cluster: no access rule allows you Upshift in this channel. Nothing was queued. Access is granted in upshift.yaml (access.rules).",
    );
    expect(random.body.allowed_mentions).toEqual({ parse: [] });
    const wrongCluster = await s.command("upgrade-check", [{ name: "context", value: "staging" }], { channelId: PROD });
    expect(wrongCluster.body.content).toMatch(
      /^Refused: \/upgrade-check on staging is not allowed in this channel\. Here you may use: prod \(\/upgrade-check\)\./,
    );
    expect(await s.queued()).toBe(0);
    const ok = await s.command("upgrade-check", [{ name: "context", value: "prod" }], { channelId: PROD });
    expect(ok.body.content).toMatch(/^Queued upgrade check of prod\./);
    expect(await countJobs(s.controls.jobs.check)).toBe(1);
  });

  it("command, role and user rules: a role may plan cycles, a named user may watch, others may not", async () => {
    const s = await stack();
    const refused = await s.command("upgrade-cycle", [{ name: "context", value: "prod" }], { channelId: PROD });
    expect(refused.body.content).toMatch(/^Refused: \/upgrade-cycle on prod is not allowed in this channel\./);
    const watch = await s.command("upgrade-watch", [{ name: "context", value: "prod" }], {
      channelId: PROD,
      userId: STRANGER,
    });
    expect(watch.body.content).toMatch(/^Refused: \/upgrade-watch on prod/);
    expect(await s.queued()).toBe(0);

    const planned = await s.command("upgrade-cycle", [{ name: "context", value: "prod" }], {
      channelId: PROD,
      roles: [SRE_ROLE],
    });
    expect(planned.body.content).toMatch(/^Planning an add-on cycle of all enabled add-ons on prod\./);
    expect(await countJobs(s.controls.cycles.queue)).toBe(1);
    const named = await s.command("upgrade-watch", [{ name: "context", value: "prod" }], {
      channelId: PROD,
      userId: NAMED,
    });
    expect(named.body.content).toMatch(/^Watching prod for 1h\./);
  });

  it("all: the clusters allowed in the channel", async () => {
    const s = await stack();
    const edit = await s.command("upgrade-check", [{ name: "context", value: "all" }]);
    expect(edit.body.content).toBe("Queued checks of 2 clusters. A summary will follow in this channel.");
    const [fleet] = await s.controls.jobs.check.getJobs(["wait", "prioritized", "delayed", "active"]);
    expect(fleet.data).toMatchObject({ kind: "fleet", clusters: ["staging", "dev"] });
    const none = await s.command("upgrade-check", [{ name: "context", value: "all" }], { channelId: RANDOM });
    expect(none.body.content).toMatch(/^Refused: \/upgrade-check all: no cluster is allowed/);
    expect(await countJobs(s.controls.jobs.check)).toBe(1);
  });

  it("autocomplete offers only the channel's clusters", async () => {
    const s = await stack();
    expect(await s.autocomplete(PROD)).toEqual(["prod"]);
    expect(await s.autocomplete(STAGING)).toEqual(["staging", "dev"]);
    expect(await s.autocomplete(RANDOM)).toEqual([]);
  });
});

describe("cycle control over Discord", () => {
  it("a stranger cannot abort; an approver by role can", async () => {
    const s = await stack();
    const { request } = await s.pendingPlan("staging", STAGING, REQUESTER);
    const refused = await s.command("upgrade-cycle-abort", [{ name: "context", value: "staging" }], {
      userId: STRANGER,
    });
    expect(refused.body.content).toBe(
      `Refused: only an approver of staging or the requester of ${request.planId} (<@${REQUESTER}>) may abort it. Nothing was changed.`,
    );
    expect(refused.body.allowed_mentions).toEqual({ parse: [] });
    expect((await s.approvals.plans.get(request.planId))?.state).toBe("pending");
    const done = await s.command("upgrade-cycle-abort", [{ name: "context", value: "staging" }], {
      userId: APPROVER,
      roles: [APPROVER_ROLE],
    });
    expect(done.body.content).toMatch(/^Cancelled the pending plan/);
    expect((await s.approvals.plans.get(request.planId))?.state).toBe("cancelled");
  });

  it("an approver's ✅ counts only where the rules allow them /upgrade-cycle", async () => {
    const s = await stack();
    const { request, thread } = await s.pendingPlan("prod", PROD, REQUESTER);
    // An approver by role, without the SRE role the prod cycle rule asks for.
    let seen = s.outcomes.length;
    s.fake.reaction({
      added: true,
      messageId: request.messageId,
      channelId: thread,
      emoji: "✅",
      userId: APPROVER,
      roles: [APPROVER_ROLE],
    });
    expect(await s.decided(APPROVER, seen)).toBe("not-allowed-here");
    // The SRE role without the approver role: access rules do not make approvers.
    seen = s.outcomes.length;
    s.fake.reaction({
      added: true,
      messageId: request.messageId,
      channelId: thread,
      emoji: "✅",
      userId: STRANGER,
      roles: [SRE_ROLE],
    });
    expect(await s.decided(STRANGER, seen)).toBe("not-approver");
    expect((await s.approvals.plans.get(request.planId))?.state).toBe("pending");
    expect(await countJobs(s.controls.cycles.queue)).toBe(0);
    seen = s.outcomes.length;
    s.fake.reaction({
      added: true,
      messageId: request.messageId,
      channelId: thread,
      emoji: "✅",
      userId: APPROVER,
      roles: [APPROVER_ROLE, SRE_ROLE],
    });
    expect(await s.decided(APPROVER, seen)).toBe("approved");
    expect(await Job.fromId(s.controls.cycles.queue, `run.${request.planId}`)).toBeDefined();
  });
});

describe("user text in Discord replies", () => {
  it("escapes markdown, defuses mentions and links, and pings nobody", async () => {
    const s = await stack();
    const edit = await s.command("upgrade-status", [{ name: "context", value: "@everyone" }]);
    expect(edit.body.content).toBe('unknown cluster context "@\u200beveryone". Valid contexts: `staging`, `dev`.');
    expect(edit.body.allowed_mentions).toEqual({ parse: [] });
    const md = await s.command("upgrade-cycle", [{ name: "context", value: "**bold**_x_" }]);
    expect(md.body.content).toContain('"\\*\\*bold\\*\\*\\_x\\_" is not an add-on name');
    const link = await s.command("upgrade-cycle", [
      { name: "context", value: "staging" },
      { name: "flags", value: "--[Approve_here](https://evil.example)<@&400000000000000002>" },
    ]);
    expect(link.body.content).toContain(
      'unknown option "--\\[Approve\\_here](https://evil.example)\\<@&400000000000000002>"',
    );
    expect(await s.queued()).toBe(0);
  });

  it("a huge argument gets a short reply", async () => {
    const s = await stack();
    const edit = await s.command("upgrade-status", [{ name: "context", value: "y".repeat(1024 * 1024) }]);
    expect(edit.body.content.length).toBeLessThan(400);
    expect(edit.body.content).toContain(`"${"y".repeat(199)}…"`);
  });
});

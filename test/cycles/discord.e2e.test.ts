// /upgrade-cycle over Discord, wired the way production wires it (cli/compose.ts: controls, bot
// router, approval engine, workers) and every hop over a real socket: INTERACTION_CREATE from the
// fake gateway to the discord.js client, the plan job on real Redis, the plan posted through
// DiscordPoster to the fake REST API in a thread with ✅/❌ seeded, MESSAGE_REACTION_ADD with
// member roles back through the gateway into the approval engine, and the run through the fake
// microk8s CLI with verification against the sandbox API server.
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createDiscordBot, DiscordPoster } from "../../adapters/discord/index.ts";
import { createApprovals, createBotRouter, createControls, startWorkers } from "../../cli/compose.ts";
import type { ReactionOutcome } from "../../src/approvals/approvalEngine.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { producerConnection, workerConnection } from "../../src/redis/connection.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { FakeDiscord, type FakeMessage, shownText } from "../fakes/fakeDiscord.ts";
import { FAKES, FakeMicrok8s, type FakeMicrok8sState, FIXTURES, silent, waitFor } from "./harness.ts";

const CLUSTER = "sandbox";
const GUILD = "200000000000000001";
const CHANNEL = "300000000000000001";
const SRE_ROLE = "400000000000000001";
const OTHER_ROLE = "400000000000000002";
/** The requester: fake.interaction's default user. Holds the approver role, so only the self-approval rule stops them. */
const REQUESTER = "100000000000000001";
/** Approves through the configured role. */
const ROLE_APPROVER = "100000000000000002";
/** Named in approvers.discordUsers, holds no role. */
const USER_APPROVER = "100000000000000003";
/** A guild member with a role that is not an approver role. */
const STRANGER = "100000000000000004";

const ADDONS: FakeMicrok8sState["addons"] = [
  { name: "hostpath-storage", status: "enabled", version: "1.0.0", nextVersion: "1.1.0" },
  { name: "ingress", status: "enabled", version: "1.8.0", nextVersion: "1.11.2" },
  { name: "dns", status: "enabled", version: "1.10.1", nextVersion: "1.11.3" },
  { name: "calico", status: "enabled", version: "3.25.1", nextVersion: "3.28.0" },
];

let sandbox: SandboxServer;
let clusters: ClusterDirectory;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  sandbox = await startSandbox({ fixture: resolve(FIXTURES, "demo-ingress/v1"), rolloutDelayMs: 30 });
  clusters = ClusterDirectory.fromString(sandbox.kubeconfig(CLUSTER));
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});
afterAll(async () => {
  await sandbox?.close();
});

/** The bot and worker sides of `upshift all` against the fake Discord, one fresh Redis prefix each. */
async function startDiscordStack(
  opts: { approvals?: Record<string, unknown>; microk8s?: Partial<FakeMicrok8sState> } = {},
) {
  const prefix = `t-discord-cycle-${randomBytes(4).toString("hex")}`;
  const fake = await FakeDiscord.start({
    guilds: [
      {
        id: GUILD,
        name: "ops",
        channels: [{ id: CHANNEL, name: "upgrades" }],
        roles: [
          { id: SRE_ROLE, name: "sre" },
          { id: OTHER_ROLE, name: "dev" },
        ],
      },
    ],
    heartbeatIntervalMs: 2_000,
  });
  cleanups.push(() => fake.close());
  const m = new FakeMicrok8s({ addons: structuredClone(ADDONS), ...opts.microk8s });
  // Production's Microk8sDriver has no env option: it runs MICROK8S_BIN with the process's env.
  process.env.FAKE_MICROK8S_STATE = m.path;
  cleanups.push(() => {
    delete process.env.FAKE_MICROK8S_STATE;
  });
  const file = fileConfigSchema.parse({
    approvals: {
      approvers: { discordUsers: [USER_APPROVER], discordRoles: [SRE_ROLE] },
      ...opts.approvals,
    },
  });
  const redis = producerConnection(inject("redisUrl"));
  // The producer connection queues no command while it connects ("nothing was queued" during an
  // outage is true): the bot takes commands only once it is up.
  if (redis.status !== "ready") await once(redis, "ready");
  const workerRedis = workerConnection(inject("redisUrl"));
  const controls = createControls(redis, prefix);
  const posters = new PosterRegistry([new DiscordPoster({ token: fake.token, apiUrl: fake.url, timeoutMs: 5_000 })]);
  const approvals = createApprovals({ redis, prefix, posters, file, controls, logger: silent });
  const workers = startWorkers({
    clusters,
    posters,
    file,
    redis,
    workerRedis,
    prefix,
    controls,
    approvals,
    concurrency: 2,
    microk8s: { context: CLUSTER, bin: resolve(FAKES, "microk8s") },
    backupDir: mkdtempSync(join(tmpdir(), "discord-cycle-backups-")),
    logger: silent,
    maxChars: (platform) => (platform === "discord" ? 2_000 : 3_000),
  });
  const outcomes: Array<{ userId: string; emoji: string; outcome: ReactionOutcome }> = [];
  const newBot = () =>
    createDiscordBot({
      token: fake.token,
      applicationId: fake.applicationId,
      apiUrl: fake.url,
      guildAllowlist: [GUILD],
      router: createBotRouter(clusters, controls),
      contexts: () => clusters.names(),
      logger: silent,
      onReaction: async (e) => {
        outcomes.push({ userId: e.userId, emoji: e.emoji, outcome: await approvals.onReaction(e) });
      },
      onButton: async (click) => {
        const result = await approvals.onButton(click);
        outcomes.push({ userId: click.userId, emoji: `button:${click.decision}`, outcome: result.outcome });
        return result;
      },
    });
  let bot = newBot();
  await bot.start();
  // As cli/services.ts does, faster: expired plans are announced by the sweeper.
  const stopSweeper = approvals.startSweeper(100);
  cleanups.push(async () => {
    stopSweeper();
    await bot.stop();
    await workers.close();
    await controls.close();
    workerRedis.disconnect();
    redis.disconnect();
  });
  /** A bot replaced by a new process: a fresh client that identifies anew and knows only what GUILD_CREATE tells it. */
  async function restartBot() {
    await bot.stop();
    bot = newBot();
    await bot.start();
  }
  return { fake, m, approvals, outcomes, restartBot };
}
type DiscordStack = Awaited<ReturnType<typeof startDiscordStack>>;

/** Sends /upgrade-cycle, checks the deferred reply, and waits for the plan with its seeded reactions. */
async function requestCycle(s: DiscordStack, addons: string) {
  const { fake } = s;
  const { id, token } = fake.interaction({
    name: "upgrade-cycle",
    options: [
      { name: "context", value: CLUSTER },
      { name: "addons", value: addons },
    ],
  });
  const callback = await fake.waitForCall((c) => c.path.startsWith(`/interactions/${id}/`), 10_000, "the deferral");
  expect(callback.body).toEqual({ type: 5, data: { flags: 64 } });
  const edit = await fake.waitForCall(
    (c) => c.method === "PATCH" && c.path === `/webhooks/${fake.applicationId}/${token}/messages/@original`,
    10_000,
    "the reply edit",
  );
  expect(edit.body.content).toMatch(
    new RegExp(`^Planning an add-on cycle of .+ on ${CLUSTER}\\. The plan will appear in a thread in this channel`),
  );
  const root = await waitFor(
    () => fake.messagesIn(CHANNEL).find((msg) => /^\S+ Add-on cycle · /.test(shownText(msg))),
    "the root message",
  );
  expect(shownText(root)).toContain(`Add-on cycle · ${CLUSTER}: `);
  expect(shownText(root)).toContain(`requested by <@${REQUESTER}>`);
  // The thread is started right after the root message is stored: wait for it, do not race it.
  const thread = await waitFor(() => fake.threads.get(root.id), "the thread under the root message");
  expect(thread).toMatchObject({ parent_id: CHANNEL, message_id: root.id });
  // The thread is named for what it is about, not for the root's state at the moment of naming.
  expect(thread.name).toMatch(new RegExp(`^Add-on cycle · ${CLUSTER} · \\d{4}-\\d{2}-\\d{2}$`));
  const plan = await waitFor(
    // Found by its title: a plan that expires at once loses its "React ✅" line and buttons.
    () => fake.messagesIn(root.id).find((msg) => shownText(msg).includes(`Add-on cycle plan for ${CLUSTER}`)),
    "the approval request in the thread",
  );
  await waitFor(() => plan.reactions.length === 2, "the seeded reactions");
  expect(plan.reactions).toEqual(["✅", "❌"]);
  return { root, plan };
}

function react(s: DiscordStack, plan: FakeMessage, userId: string, emoji: string, roles: string[] = []) {
  s.fake.reaction({ added: true, messageId: plan.id, channelId: plan.channel_id, emoji, userId, roles });
}

/** Reacts and waits until the approval engine has decided on that reaction. */
async function reactAndDecide(s: DiscordStack, plan: FakeMessage, userId: string, emoji: string, roles: string[] = []) {
  const seen = s.outcomes.length;
  react(s, plan, userId, emoji, roles);
  const o = await waitFor(
    () => s.outcomes.slice(seen).find((x) => x.userId === userId && x.emoji === emoji),
    `the outcome of ${emoji} from ${userId}`,
  );
  return o.outcome;
}

const threadTexts = (s: DiscordStack, root: FakeMessage) => s.fake.messagesIn(root.id).map((msg) => shownText(msg));

describe("/upgrade-cycle over Discord", () => {
  it("refuses self-approval and a non-approver, then runs the cycle in order once a role-holder approves", async () => {
    const s = await startDiscordStack();
    const { root, plan } = await requestCycle(s, "hostpath-storage ingress dns calico");
    // CNI → DNS → ingress → storage, whatever order they were asked in.
    expect(shownText(plan)).toMatch(
      /1\. \*\*calico\*\*[\s\S]*2\. \*\*dns\*\*[\s\S]*3\. \*\*ingress\*\*[\s\S]*4\. \*\*hostpath-storage\*\*/,
    );
    expect(shownText(plan)).toContain(`<@${USER_APPROVER}>, <@&${SRE_ROLE}>`);
    expect(shownText(plan)).toContain(`<@${REQUESTER}> requested it and cannot approve it.`);
    // The bot's own seeded reactions came back on the gateway and were not counted.
    expect(s.outcomes.filter((o) => o.userId === s.fake.botUser.id)).toEqual([]);

    expect(await reactAndDecide(s, plan, REQUESTER, "✅", [SRE_ROLE])).toBe("self-approval");
    await waitFor(
      () =>
        threadTexts(s, root).includes(
          `<@${REQUESTER}> requested this plan and cannot approve it; another approver must.`,
        ),
      "the self-approval refusal",
    );
    expect(await reactAndDecide(s, plan, STRANGER, "✅", [OTHER_ROLE])).toBe("not-approver");
    // A second try from the same person is ignored without another message.
    expect(await reactAndDecide(s, plan, STRANGER, "✅️", [OTHER_ROLE])).toBe("not-approver");
    await waitFor(
      () => threadTexts(s, root).some((t) => t.includes(`<@${STRANGER}> is not an approver for ${CLUSTER}`)),
      "the not-an-approver notice",
    );
    expect(s.m.mutations()).toEqual([]);

    expect(await reactAndDecide(s, plan, ROLE_APPROVER, "✅", [SRE_ROLE])).toBe("approved");
    await waitFor(() => threadTexts(s, root).some((t) => t.startsWith("🏁")), "the end of the cycle", 25_000);
    expect(s.m.mutations()).toEqual(
      ["calico", "dns", "ingress", "hostpath-storage"].flatMap((a) => [
        `disable ${a}`,
        "addons repo update core",
        `enable ${a}`,
      ]),
    );
    const thread = threadTexts(s, root);
    expect(thread.filter((t) => t.includes("is not an approver"))).toHaveLength(1);
    expect(thread.filter((t) => t.includes("cannot approve it; another approver must"))).toHaveLength(1);
    expect(thread).toContain(`🚀 Approved by <@${ROLE_APPROVER}>. Starting the cycle on ${CLUSTER}.`);
    const done = thread.filter((t) => t.startsWith("✅ Step"));
    expect(done.map((t) => t.match(/\*\*([a-z-]+)\*\*/)?.[1])).toEqual([
      "calico",
      "dns",
      "ingress",
      "hostpath-storage",
    ]);
    // Each step verified the new version and the add-on's namespace on the API server.
    expect(done.map((t) => t.match(/• verify: microk8s status: [a-z-]+ enabled \(([\d.]+)\)/)?.[1])).toEqual([
      "3.28.0",
      "1.11.3",
      "1.11.2",
      "1.1.0",
    ]);
    for (const t of done) expect(t).toContain("checks POD-01, PRB-01, REF-01: 0 problems");
    // The cycle's last word is its finish line; the verify summary may follow it in the thread.
    const finish = thread.findIndex((t) => t.startsWith("🏁"));
    expect(thread[finish]).toBe(`🏁 Cycle on ${CLUSTER} finished: 4 of 4 step(s) done.`);
    expect(thread.slice(finish + 1).every((t) => t.startsWith("🔎"))).toBe(true);
    expect(s.m.read().addons.map((a) => `${a.name}@${a.version}:${a.status}`)).toEqual([
      "hostpath-storage@1.1.0:enabled",
      "ingress@1.11.2:enabled",
      "dns@1.11.3:enabled",
      "calico@3.28.0:enabled",
    ]);
    // Each step's backup went up as an attachment in the thread; the root shows the outcome.
    expect(s.fake.messagesIn(root.id).flatMap((msg) => msg.attachments.map((a) => a.filename))).toEqual([
      "backup-sandbox-calico.json",
      "backup-sandbox-dns.json",
      "backup-sandbox-ingress.json",
      "backup-sandbox-hostpath-storage.json",
    ]);
    await waitFor(() => shownText(s.fake.messages.get(root.id)!).includes(": done: 4 steps"), "the root's final edit");
    expect(s.fake.calls.filter((c) => c.status >= 400)).toEqual([]);
    expect(s.fake.messagesIn(CHANNEL).filter((msg) => shownText(msg).startsWith("🚨"))).toEqual([]);
  });

  it("cancels on ❌ from an approver named by user id, after a bot restart; nothing runs and a later ✅ is ignored", async () => {
    const s = await startDiscordStack();
    const { root, plan } = await requestCycle(s, "dns");
    // The plan lives in Redis and the thread in Discord: a bot that restarted still takes the reaction.
    await s.restartBot();
    expect(s.fake.gateway.stats.identifies).toBe(2);
    expect(await reactAndDecide(s, plan, USER_APPROVER, "❌")).toBe("cancelled");
    await waitFor(
      () => threadTexts(s, root).includes(`❌ Cancelled by <@${USER_APPROVER}>. Nothing was changed on ${CLUSTER}.`),
      "the cancellation",
    );
    expect(await reactAndDecide(s, plan, ROLE_APPROVER, "✅", [SRE_ROLE])).toBe("closed");
    expect(s.m.mutations()).toEqual([]);
    expect(threadTexts(s, root).some((t) => t.startsWith("🚀") || t.startsWith("▶️"))).toBe(false);
  });

  it("a failing enable stops the cycle, alerts the channel with a new message and offers a rollback", async () => {
    const s = await startDiscordStack({ microk8s: { failEnable: ["ingress"] } });
    const { root, plan } = await requestCycle(s, "dns ingress hostpath-storage");
    expect(await reactAndDecide(s, plan, USER_APPROVER, "✅")).toBe("approved");
    const rollback = await waitFor(
      () =>
        s.fake
          .messagesIn(root.id)
          .find(
            (msg) => shownText(msg).includes(`Rollback plan for ${CLUSTER}`) && shownText(msg).includes("React ✅"),
          ),
      "the rollback offer",
      25_000,
    );
    // Stopped at ingress: storage never touched.
    expect(s.m.mutations()).toEqual([
      "disable dns",
      "addons repo update core",
      "enable dns",
      "disable ingress",
      "addons repo update core",
      "enable ingress",
    ]);
    const thread = threadTexts(s, root);
    expect(
      thread.some((t) => t.startsWith("❌ Step 2/3: **ingress** failed: microk8s enable ingress failed (exit 1)")),
    ).toBe(true);
    expect(thread.some((t) => t.startsWith("🏁"))).toBe(false);
    // The alert is its own top-level message in the channel, not only a thread reply.
    const alert = s.fake.messagesIn(CHANNEL).find((msg) => shownText(msg).startsWith("🚨 Add-on cycle on"));
    expect(alert && shownText(alert)).toMatch(
      new RegExp(
        `^🚨 Add-on cycle on \\*\\*${CLUSTER}\\*\\* failed at step 2 \\(ingress\\): microk8s enable ingress failed \\(exit 1\\)`,
      ),
    );
    expect(alert?.id).not.toBe(root.id);
    // The rollback restores what started, last first, and waits for its own approval.
    expect(shownText(rollback).indexOf("**ingress**")).toBeLessThan(shownText(rollback).indexOf("**dns**"));
    expect(shownText(rollback)).not.toContain("hostpath-storage");
    await waitFor(() => rollback.reactions.length === 2, "the rollback's seeded reactions");
    expect(s.m.read().addons.find((a) => a.name === "hostpath-storage")?.status).toBe("enabled");
  });

  it("expires an unapproved plan; a ✅ after expiry does nothing", async () => {
    const s = await startDiscordStack({ approvals: { expiresAfter: "1s" } });
    const { root, plan } = await requestCycle(s, "dns");
    await waitFor(
      () =>
        threadTexts(s, root).some((t) => t.startsWith(`⌛ The plan for ${CLUSTER} expired without enough approvals.`)),
      "the expiry notice",
    );
    const posted = s.fake.messagesIn(root.id).length;
    expect(await reactAndDecide(s, plan, ROLE_APPROVER, "✅", [SRE_ROLE])).toBe("closed");
    expect(s.fake.messagesIn(root.id)).toHaveLength(posted);
    expect(s.m.mutations()).toEqual([]);
  });

  it("approves by button: the requester, a stranger and a stale button are answered ephemerally; a role-holder's click runs the cycle", async () => {
    const s = await startDiscordStack();
    const { root, plan } = await requestCycle(s, "dns");
    // The plan is an embed with Approve / Cancel buttons whose custom_id carries the plan and its hash.
    expect(plan.embeds[0].title).toBe(`ℹ️ Add-on cycle plan for ${CLUSTER}`);
    const buttons = plan.components[0].components as Array<{ label: string; style: number; custom_id: string }>;
    expect(buttons.map((b) => [b.label, b.style])).toEqual([
      ["Approve", 3],
      ["Cancel", 4],
    ]);
    expect(buttons[0].custom_id).toMatch(/^upshift:approve:[0-9a-f-]{36}:[0-9a-f]{16}$/);
    const posted = s.fake.messagesIn(root.id).length;

    /** Clicks and resolves with the ephemeral answer the clicker got. */
    const click = async (o: { user: string; roles?: string[]; label?: string; customId?: string }) => {
      const { id, token } = s.fake.buttonClick({
        messageId: plan.id,
        label: o.label ?? "Approve",
        customId: o.customId,
        user: { id: o.user, username: "u" },
        roles: o.roles,
      });
      const deferred = await s.fake.waitForCall(
        (c) => c.path.startsWith(`/interactions/${id}/`),
        10_000,
        "the deferral",
      );
      expect(deferred.body).toEqual({ type: 5, data: { flags: 64 } });
      const edit = await s.fake.waitForCall(
        (c) => c.method === "PATCH" && c.path === `/webhooks/${s.fake.applicationId}/${token}/messages/@original`,
        10_000,
        "the answer",
      );
      return edit.body.content as string;
    };

    expect(await click({ user: REQUESTER, roles: [SRE_ROLE] })).toBe(
      "You requested this plan and cannot approve it; another approver must. Your click was not counted.",
    );
    expect(await click({ user: STRANGER, roles: [OTHER_ROLE] })).toBe(
      `<@${STRANGER}> is not an approver for ${CLUSTER}; your click was not counted.`,
    );
    const stale = buttons[0].custom_id.replace(/:[0-9a-f]{16}$/, `:${"f".repeat(16)}`);
    expect(await click({ user: ROLE_APPROVER, roles: [SRE_ROLE], customId: stale })).toMatch(
      /^This button belongs to an earlier version of the plan/,
    );
    // Refusals are for the clicker only: nothing new in the thread, nothing run.
    expect(s.fake.messagesIn(root.id)).toHaveLength(posted);
    expect(s.m.mutations()).toEqual([]);

    expect(await click({ user: ROLE_APPROVER, roles: [SRE_ROLE] })).toBe(
      "Your approval completed the plan: it is starting.",
    );
    await waitFor(() => threadTexts(s, root).some((t) => t.startsWith("🏁")), "the end of the cycle", 25_000);
    expect(s.m.mutations()).toEqual(["disable dns", "addons repo update core", "enable dns"]);
    // The decided plan lost its buttons.
    expect(s.fake.messages.get(plan.id)?.components).toEqual([]);
    expect(shownText(s.fake.messages.get(plan.id)!)).toContain(`🚀 Approved by <@${ROLE_APPROVER}>.`);
    await waitFor(() => shownText(s.fake.messages.get(root.id)!).includes(": done: 1 step"), "the root's final state");
    expect(s.fake.messages.get(root.id)?.embeds[0].color).toBe(0x2eb67d);
    expect(s.fake.calls.filter((c) => c.status >= 400)).toEqual([]);
  });
});

// /upgrade-check from Discord end to end, every hop over a real socket: INTERACTION_CREATE from
// the fake gateway to the discord.js client, the deferred reply, the job on real Redis, the real
// check worker reading the sandbox API server with the real catalogue, and the root message,
// thread, findings and verdict posted through DiscordPoster to the fake REST API.
import { randomBytes } from "node:crypto";
import type { Worker } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createDiscordBot, type DiscordBot, DiscordPoster } from "../../adapters/discord/index.ts";
import { platformTraits } from "../../adapters/platformTraits.ts";
import { CommandRouter } from "../../commands/router.ts";
import { upgradeCheckCommand } from "../../commands/upgradeCheck.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { createLogger } from "../../src/log.ts";
import { JobSubmitter } from "../../src/queue/jobSubmitter.ts";
import { producerConnection, type RedisConnection, workerConnection } from "../../src/redis/connection.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { startCheckWorker } from "../../worker/checkWorker.ts";
import { FakeDiscord, type FakeMessage, type RestCall, shownText } from "../fakes/fakeDiscord.ts";

const CONTEXT = "incident-3";
const FIXTURE = new URL("../../src/sandbox/scenarios/incident-3-helm-pending-prerelease.yaml", import.meta.url)
  .pathname;
const OTHER_GUILD = "999999999999999999";

interface Harness {
  fake: FakeDiscord;
  bot: DiscordBot;
  queues: JobSubmitter;
}

describe("/upgrade-check over Discord", () => {
  let sandbox: SandboxServer;
  let clusters: ClusterDirectory;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: FIXTURE });
    clusters = ClusterDirectory.fromString(sandbox.kubeconfig(CONTEXT));
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  async function harness(): Promise<Harness> {
    const prefix = `t-discord-${randomBytes(4).toString("hex")}`;
    const logger = createLogger(process.env.TEST_LOG_LEVEL ?? "silent");
    const fake = await FakeDiscord.start({ heartbeatIntervalMs: 2_000 });
    cleanups.push(() => fake.close());
    const producer = producerConnection(inject("redisUrl"));
    const queues = new JobSubmitter(producer, prefix);
    cleanups.push(async () => {
      await queues.close();
      producer.disconnect();
    });
    const connection: RedisConnection = workerConnection(inject("redisUrl"));
    const worker: Worker = startCheckWorker(
      {
        clusters,
        checks: allChecks,
        posters: new PosterRegistry([new DiscordPoster({ token: fake.token, apiUrl: fake.url, timeoutMs: 5_000 })]),
        file: fileConfigSchema.parse({}),
        logger,
        maxChars: (platform) => (platform === "discord" ? 2_000 : 3_000),
      },
      { connection, prefix, concurrency: 2 },
    );
    cleanups.push(async () => {
      await worker.close();
      connection.disconnect();
    });
    const bot = createDiscordBot({
      token: fake.token,
      applicationId: fake.applicationId,
      apiUrl: fake.url,
      guildAllowlist: [fake.guildId],
      router: new CommandRouter([upgradeCheckCommand({ clusters, jobs: queues, platforms: platformTraits })]),
      contexts: () => clusters.names(),
      logger,
    });
    await bot.start();
    cleanups.push(() => bot.stop());
    return { fake, bot, queues };
  }

  /** Sends /upgrade-check and returns the interaction's callback and reply edit. */
  async function command(fake: FakeDiscord, options: Array<{ name: string; value: string }>, guildId?: string) {
    const sentAt = Date.now();
    const { id, token } = fake.interaction({ name: "upgrade-check", options, guildId });
    const callback = await fake.waitForCall(
      (c) => c.path.startsWith(`/interactions/${id}/`),
      10_000,
      "the interaction callback",
    );
    return { id, token, sentAt, callback };
  }

  async function replyEdit(fake: FakeDiscord, token: string): Promise<RestCall> {
    return fake.waitForCall(
      (c) => c.method === "PATCH" && c.path === `/webhooks/${fake.applicationId}/${token}/messages/@original`,
      10_000,
      "the reply edit",
    );
  }

  /** Waits for the root message in the channel to be edited with a verdict. */
  async function verdict(fake: FakeDiscord, afterRoot = 0): Promise<{ root: FakeMessage; thread: FakeMessage[] }> {
    const deadline = Date.now() + 25_000;
    for (;;) {
      const roots = fake.messagesIn(fake.channelId);
      const root = roots[afterRoot];
      if (root && /: (blocked|warnings|ready)\b/.test(shownText(root)))
        return { root, thread: fake.messagesIn(root.id) };
      if (Date.now() > deadline)
        throw new Error(`no verdict yet; channel has: ${roots.map((m) => shownText(m)).join(" | ")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("defers at once, then posts a root, a thread of findings and the verdict", async () => {
    const { fake } = await harness();
    const { callback, sentAt, token } = await command(fake, [
      { name: "context", value: CONTEXT },
      { name: "target", value: "1.32" },
    ]);
    expect(callback.body).toEqual({ type: 5, data: { flags: 64 } });
    // Discord's hard limit for the first response.
    expect(callback.at - sentAt).toBeLessThan(3_000);
    expect((await replyEdit(fake, token)).body.content).toBe(
      `Queued upgrade check of ${CONTEXT} → 1.32. Results will appear in a thread in this channel.`,
    );

    const { root, thread } = await verdict(fake);
    // An embed coloured by the verdict: its title says what was checked and the verdict.
    expect(root.content).toBe("");
    expect(root.embeds).toHaveLength(1);
    expect(root.embeds[0]).toMatchObject({
      title: expect.stringMatching(new RegExp(`^⛔ Upgrade check · ${CONTEXT} · v1\\.31\\.4 → 1\\.32: blocked \\(`)),
      color: 0xe01e5a,
    });
    expect(root.embeds[0].description).toBe("*requested by <@100000000000000001>*");
    // The thread is named for what it is about, not the state it had when it was named.
    expect(fake.threads.get(root.id)?.name).toMatch(
      new RegExp(`^Upgrade check · ${CONTEXT} → 1\\.32 · \\d{4}-\\d{2}-\\d{2}$`),
    );
    expect(fake.threads.get(root.id)).toMatchObject({ parent_id: fake.channelId, message_id: root.id });
    expect(root.edits).toBeGreaterThanOrEqual(1);
    // Incident 3: a Helm release stuck in pending-upgrade, on a pre-release chart, and a pod whose ConfigMap is missing.
    const ids = new Set(
      thread.flatMap((m) => [...shownText(m).matchAll(/• \*\*([A-Z]+-\d{2})\*\*/g)].map((x) => x[1])),
    );
    expect(ids).toContain("HELM-01");
    expect(ids).toContain("REF-01");
    expect(shownText(thread.at(-1)!)).toMatch(new RegExp(`^Checked ${CONTEXT} \\(v1\\.31\\.4 → 1\\.32\\)`));
    for (const m of thread) expect(m.content.length).toBeLessThanOrEqual(2_000);
    // Findings are embeds coloured by severity, each section's findings in order.
    expect(thread.find((m) => shownText(m).includes("Blockers"))?.embeds[0].color).toBe(0xe01e5a);
    expect(fake.calls.filter((c) => c.status >= 400)).toEqual([]);
  });

  it("refuses a target that is no Kubernetes release (or carries markup) and queues nothing", async () => {
    const { fake, queues } = await harness();
    for (const [target, message] of [
      ["1.32-<@&112233445566778899>", "with nothing after it"],
      ["1.99", "1.99 is not a Kubernetes release"],
    ]) {
      const { callback, token } = await command(fake, [
        { name: "context", value: CONTEXT },
        { name: "target", value: target },
      ]);
      const content =
        callback.body.type === 4
          ? (callback.body.data as { content: string }).content
          : ((await replyEdit(fake, token)).body as { content: string }).content;
      expect(content, target).toContain(message);
      expect(content, target).not.toContain("<@&");
    }
    const counts = await queues.check.getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    expect(fake.messagesIn(fake.channelId)).toEqual([]);
  });

  it("refuses a command from a guild outside the allowlist and queues nothing", async () => {
    const { fake, queues } = await harness();
    const { callback } = await command(fake, [{ name: "context", value: CONTEXT }], OTHER_GUILD);
    expect(callback.body.type).toBe(4);
    expect(callback.body.data).toMatchObject({
      flags: 64,
      content: expect.stringContaining("not enabled for this server"),
    });
    const counts = await queues.check.getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    expect(fake.messagesIn(fake.channelId)).toEqual([]);
  });

  it("finishes an accepted job through REST while the gateway is down, then takes the next command", async () => {
    const { fake, bot } = await harness();
    const first = await command(fake, [{ name: "context", value: CONTEXT }]);
    expect(first.callback.body.type).toBe(5);
    await replyEdit(fake, first.token);
    // The gateway goes away mid-run and refuses reconnects for a while.
    fake.gateway.refuseConnections(true);
    fake.gateway.drop();
    const { root } = await verdict(fake);
    expect(shownText(root)).toContain(": blocked (");
    expect(fake.gateway.connected()).toBe(false);

    fake.gateway.refuseConnections(false);
    const second = await command(fake, [
      { name: "context", value: CONTEXT },
      { name: "target", value: "1.32.1" },
    ]);
    expect(second.callback.body.type).toBe(5);
    expect(bot.ready()).toBe(true);
    expect(fake.gateway.stats.resumes + fake.gateway.stats.identifies).toBeGreaterThanOrEqual(2);
    expect((await replyEdit(fake, second.token)).body.content).toContain(`${CONTEXT} → 1.32.1`);
    const next = await verdict(fake, 1);
    expect(next.root.id).not.toBe(root.id);
    expect(shownText(next.thread.at(-1)!)).toMatch(/^Checked /);
  });

  it("posts every finding despite a 429 on the thread route", async () => {
    const { fake } = await harness();
    // Thread replies go to /channels/{thread}/messages; the thread id is the root's id, unknown yet,
    // so rate-limit any message post whose channel is not the parent channel.
    fake.rateLimit("POST", new RegExp(`^/channels/(?!${fake.channelId}/)\\d+/messages$`), 2, 0.3);
    await command(fake, [{ name: "context", value: CONTEXT }]);
    const { thread } = await verdict(fake);
    const statuses = fake.calls
      .filter((c) => c.method === "POST" && c.path === `/channels/${thread[0].channel_id}/messages`)
      .map((c) => c.status);
    expect(statuses.slice(0, 2)).toEqual([429, 429]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(thread.length);
    expect(shownText(thread.at(-1)!)).toMatch(/^Checked /);
  });
});

// The Discord bot against the fake Discord over real sockets: discord.js connects to the fake
// gateway (found through the fake REST's /gateway/bot), commands are deferred and answered
// ephemerally, autocomplete offers contexts, the allowlist refuses other guilds, reactions reach
// onReaction, and the gateway recovers from drops, RECONNECT and INVALID_SESSION.
import { Routes } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDiscordBot, type DiscordBot, type DiscordReactionEvent } from "../../adapters/discord/index.ts";
import { CommandRouter } from "../../commands/router.ts";
import type { CommandInvocation } from "../../commands/types.ts";
import { UPGRADE_CHECK_SPEC } from "../../commands/upgradeCheck.ts";
import { createLogger } from "../../src/log.ts";
import { FakeDiscord } from "../fakes/fakeDiscord.ts";

const OTHER_GUILD = "999999999999999999";

describe("Discord bot against the fake Discord", () => {
  let fake: FakeDiscord;
  let bot: DiscordBot;
  let invocations: CommandInvocation[];
  let reactions: DiscordReactionEvent[];

  beforeEach(async () => {
    fake = await FakeDiscord.start({
      guilds: [
        {
          id: "200000000000000001",
          name: "ops",
          channels: [{ id: "300000000000000001", name: "upgrades" }],
          roles: [{ id: "400000000000000001", name: "sre" }],
        },
      ],
      heartbeatIntervalMs: 1_000,
    });
    invocations = [];
    reactions = [];
    const router = new CommandRouter([
      {
        spec: UPGRADE_CHECK_SPEC,
        async handle(inv) {
          invocations.push(inv);
          return { refused: false, text: `Queued upgrade check of *${inv.text || "default"}*.` };
        },
      },
    ]);
    bot = createDiscordBot({
      token: fake.token,
      applicationId: fake.applicationId,
      apiUrl: fake.url,
      guildAllowlist: [fake.guildId],
      router,
      contexts: () => ["prod-eu", "prod-us", "staging", "gke-prod"],
      logger: createLogger("silent"),
      onReaction: async (e) => {
        reactions.push(e);
      },
    });
    await bot.start();
  });

  afterEach(async () => {
    await bot.stop();
    await fake.close();
  });

  async function runCommand(options: Array<{ name: string; value: string }>, guildId?: string | null) {
    const { id } = fake.interaction({ name: "upgrade-check", options, guildId });
    const callback = await fake.waitForCall(
      (c) => c.path.startsWith(`/interactions/${id}/`),
      10_000,
      "the interaction callback",
    );
    return { id, callback };
  }

  it("connects with the intents asked for, over JSON v10 without compression", async () => {
    expect(bot.ready()).toBe(true);
    expect(fake.gateway.stats.identifies).toBe(1);
    expect(fake.gateway.stats.queries[0]).toBe("v=10&encoding=json");
    expect(bot.client.guilds.cache.has(fake.guildId)).toBe(true);
    // Guilds (1) | GuildMessages (512) | GuildMessageReactions (1024)
    expect(fake.gateway.stats.intents).toEqual([1 | 512 | 1024]);
    expect(fake.calls.some((c) => c.path === "/gateway/bot" && c.authorized)).toBe(true);
  });

  it("defers ephemerally, hands the router the options in spec order, and edits the reply", async () => {
    const { id, callback } = await runCommand([
      { name: "target", value: "1.32" },
      { name: "context", value: "prod-eu" },
    ]);
    expect(callback.body).toEqual({ type: 5, data: { flags: 64 } });
    const edit = await fake.waitForCall(
      (c) => c.method === "PATCH" && c.path.startsWith(`/webhooks/${fake.applicationId}/`),
      10_000,
      "the reply edit",
    );
    expect(edit.status).toBe(200);
    expect(edit.body.content).toBe("Queued upgrade check of **prod-eu 1.32**.");
    expect(fake.callbacksFor(id)).toHaveLength(1);
    expect(invocations).toEqual([
      {
        platform: "discord",
        name: "upgrade-check",
        text: "prod-eu 1.32",
        requester: { platform: "discord", userId: "100000000000000001", name: "Alice" },
        channel: fake.channelId,
        guild: fake.guildId,
        // The interaction's own id names the request (a retry of it finds the first job).
        request: { id: `discord.${id}`, acceptBy: expect.any(Number) },
      },
    ]);
  });

  it("refuses a command from a guild outside the allowlist without calling the router", async () => {
    const { callback } = await runCommand([{ name: "context", value: "prod-eu" }], OTHER_GUILD);
    expect(callback.body.type).toBe(4);
    expect(callback.body.data.flags).toBe(64);
    expect(callback.body.data.content).toContain(`not enabled for this server (guild ${OTHER_GUILD})`);
    expect(callback.body.data.content).toContain("DISCORD_GUILD_IDS");
    expect(invocations).toHaveLength(0);
  });

  it("answers autocomplete for the context option with matching contexts, prefix matches first", async () => {
    const { id } = fake.interaction({
      name: "upgrade-check",
      type: 4,
      options: [{ name: "context", value: "prod", focused: true }],
    });
    const callback = await fake.waitForCall(
      (c) => c.path.startsWith(`/interactions/${id}/`),
      10_000,
      "the autocomplete answer",
    );
    expect(callback.body).toEqual({
      type: 8,
      data: {
        choices: [
          { name: "prod-eu", value: "prod-eu" },
          { name: "prod-us", value: "prod-us" },
          { name: "gke-prod", value: "gke-prod" },
        ],
      },
    });
  });

  it("answers commands while the bot token waits out a global 429: interaction replies bypass the global queue", async () => {
    // The client's REST is told it hit the global limit for 20 s; everything on it waits that out.
    fake.rateLimit("GET", /^\/users\/@me$/, 1, 20, true);
    void bot.client.rest.get(Routes.user()).catch(() => undefined);
    await fake.waitForCall((c) => c.path === "/users/@me" && c.status === 429, 10_000, "the global 429");

    const { id, token } = fake.interaction({ name: "upgrade-check", options: [{ name: "context", value: "staging" }] });
    const callback = await fake.waitForCall((c) => c.path.startsWith(`/interactions/${id}/`), 10_000, "the defer");
    expect(callback.body).toEqual({ type: 5, data: { flags: 64 } });
    // Held behind the 20 s global wait before interaction replies had a REST instance of their own.
    const edit = await fake.waitForCall(
      (c) => c.method === "PATCH" && c.path === `/webhooks/${fake.applicationId}/${token}/messages/@original`,
      10_000,
      "the reply edit",
    );
    expect(edit.status).toBe(200);
    expect(edit.body).toEqual({ content: "Queued upgrade check of **staging**.", allowed_mentions: { parse: [] } });
    // Interaction endpoints are authenticated by the token in the path, not the bot token.
    expect([callback.botToken, edit.botToken]).toEqual([false, false]);
    // The bot-token request is still waiting: it was not retried within the global window.
    expect(fake.calls.filter((c) => c.path === "/users/@me")).toHaveLength(1);
  });

  it("the fake holds bot-token requests to the global limit and lets interaction endpoints through", async () => {
    const limited = await FakeDiscord.start({ globalLimitPerSecond: 3 });
    try {
      const api = `${limited.url}/v10`;
      const asBot = { authorization: `Bot ${limited.token}` };
      const bot5 = await Promise.all(
        Array.from({ length: 5 }, () => fetch(`${api}/users/@me`, { headers: asBot }).then((r) => r.status)),
      );
      const edits = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          fetch(`${api}/webhooks/${limited.applicationId}/itoken-${i}/messages/@original`, {
            method: "PATCH",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ content: "ok" }),
          }).then((r) => r.status),
        ),
      );
      expect(bot5.filter((s) => s === 200)).toHaveLength(3);
      expect(bot5.filter((s) => s === 429)).toHaveLength(2);
      const rejected = limited.calls.find((c) => c.status === 429);
      expect(rejected?.botToken).toBe(true);
      expect(edits).toEqual([200, 200, 200, 200, 200]);
      expect(limited.globalLimited).toBe(2);
    } finally {
      await limited.close();
    }
  });

  it("forwards reaction adds (with member roles) and removes on messages it never saw", async () => {
    fake.reaction({
      added: true,
      messageId: "500000000000000001",
      emoji: "✅",
      userId: "100000000000000002",
      roles: ["400000000000000001"],
    });
    fake.reaction({ added: false, messageId: "500000000000000001", emoji: "✅", userId: "100000000000000002" });
    await waitFor(() => reactions.length === 2, "two reaction events");
    expect(reactions[0]).toEqual({
      platform: "discord",
      added: true,
      userId: "100000000000000002",
      emoji: "✅",
      channel: fake.channelId,
      messageId: "500000000000000001",
      guild: fake.guildId,
      roles: ["400000000000000001"],
    });
    expect(reactions[1]).toMatchObject({
      added: false,
      userId: "100000000000000002",
      emoji: "✅",
      messageId: "500000000000000001",
    });
  });

  it("resumes after an abrupt drop and still runs the next command, including one sent while down", async () => {
    fake.gateway.drop();
    // Dispatched while the socket is gone: the RESUME replays it.
    const { id } = fake.interaction({ name: "upgrade-check", options: [{ name: "context", value: "staging" }] });
    const callback = await fake.waitForCall(
      (c) => c.path.startsWith(`/interactions/${id}/`),
      15_000,
      "the replayed interaction's callback",
    );
    expect(callback.body.type).toBe(5);
    expect(fake.gateway.stats.resumes).toBeGreaterThanOrEqual(1);
    expect(fake.gateway.stats.identifies).toBe(1);
    const next = await runCommand([{ name: "context", value: "prod-us" }]);
    expect(next.callback.body.type).toBe(5);
  });

  it("reconnects on RECONNECT (op 7) and re-identifies after a non-resumable INVALID_SESSION (op 9)", async () => {
    fake.gateway.requestReconnect();
    await waitFor(() => fake.gateway.stats.resumes === 1 && fake.gateway.connected(), "a resume after op 7");
    expect((await runCommand([{ name: "context", value: "staging" }])).callback.body.type).toBe(5);

    fake.gateway.invalidateSession(false);
    await waitFor(
      () => fake.gateway.stats.identifies === 2 && fake.gateway.connected(),
      "a new IDENTIFY after op 9",
      20_000,
    );
    expect((await runCommand([{ name: "context", value: "prod-eu" }])).callback.body.type).toBe(5);
  });
});

async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

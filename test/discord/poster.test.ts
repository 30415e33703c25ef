// DiscordPoster and command registration against the fake Discord's REST API: root + thread,
// thread replies, edits, reactions, 429 handling by @discordjs/rest's own queue, long text split
// at line boundaries, files as multipart attachments, and the bulk command PUT.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DiscordPoster,
  registerDiscordCommands,
  splitMessage,
  toDiscordMarkdown,
} from "../../adapters/discord/index.ts";
import { UPGRADE_CHECK_SPEC } from "../../commands/upgradeCheck.ts";
import { FakeDiscord } from "../fakes/fakeDiscord.ts";

describe("DiscordPoster over REST", () => {
  let fake: FakeDiscord;
  let poster: DiscordPoster;

  beforeAll(async () => {
    fake = await FakeDiscord.start();
    poster = new DiscordPoster({ token: fake.token, apiUrl: fake.url, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("posts a root, opens a thread on it, replies in the thread, edits the root and reacts", async () => {
    const root = await poster.postRoot(fake.channelId, {
      text: "*Upgrade check:* prod 1.31 → 1.32, requested by <@1>: running",
    });
    expect(fake.messages.get(root.id)?.content).toBe("**Upgrade check:** prod 1.31 → 1.32, requested by <@1>: running");
    const thread = fake.threads.get(root.thread);
    expect(thread).toMatchObject({
      parent_id: fake.channelId,
      message_id: root.id,
      name: "Upgrade check: prod 1.31 → 1.32, requested by: running",
    });

    const replyId = await poster.postInThread(
      { channel: fake.channelId, thread: root.thread },
      { text: "🛑 Blockers (1)" },
    );
    expect(fake.messages.get(replyId)).toMatchObject({ channel_id: root.thread, content: "🛑 Blockers (1)" });

    await poster.update(fake.channelId, root.id, { text: "*Upgrade check:* prod: *blocked* (1 blocker)" });
    expect(fake.messages.get(root.id)).toMatchObject({
      content: "**Upgrade check:** prod: **blocked** (1 blocker)",
      edits: 1,
    });

    await poster.react(fake.channelId, root.id, "✅");
    expect(fake.messages.get(root.id)?.reactions).toEqual(["✅"]);
    expect(fake.calls.every((c) => c.authorized)).toBe(true);
  });

  it("waits out a 429 (retry_after) and the message still arrives once", async () => {
    const root = await poster.postRoot(fake.channelId, { text: "root" });
    fake.rateLimit("POST", new RegExp(`^/channels/${root.thread}/messages$`), 2, 0.15);
    const before = fake.calls.length;
    const id = await poster.postInThread(
      { channel: fake.channelId, thread: root.thread },
      { text: "after the rate limit" },
    );
    const calls = fake.calls.slice(before).filter((c) => c.path === `/channels/${root.thread}/messages`);
    expect(calls.map((c) => c.status)).toEqual([429, 429, 200]);
    expect(calls[2].at - calls[0].at).toBeGreaterThanOrEqual(150);
    expect(fake.messagesIn(root.thread).map((m) => m.content)).toEqual(["after the rate limit"]);
    expect(fake.messages.get(id)?.content).toBe("after the rate limit");
  });

  it("splits a report over 2,000 characters at line boundaries instead of being rejected", async () => {
    const root = await poster.postRoot(fake.channelId, { text: "root" });
    const lines = Array.from(
      { length: 120 },
      (_, i) => `• finding ${i}: Deployment default/app-${i} uses a removed API`,
    );
    const text = lines.join("\n");
    expect(text.length).toBeGreaterThan(5_000);
    await poster.postInThread({ channel: fake.channelId, thread: root.thread }, { text });
    const posted = fake.messagesIn(root.thread);
    expect(posted.length).toBeGreaterThanOrEqual(3);
    for (const m of posted) expect(m.content.length).toBeLessThanOrEqual(2_000);
    expect(posted.map((m) => m.content).join("\n")).toBe(text);
    expect(fake.calls.filter((c) => c.status === 400)).toEqual([]);
  });

  it("attaches a ChatMessage's file as multipart on the last part", async () => {
    const root = await poster.postRoot(fake.channelId, { text: "root" });
    const content = Array.from({ length: 500 }, (_, i) => `HIGH default/app-${i}: missing PodDisruptionBudget`).join(
      "\n",
    );
    await poster.postInThread(
      { channel: fake.channelId, thread: root.thread },
      { text: "…and 490 more high findings: full list attached.", file: { name: "high-findings.txt", content } },
    );
    const [message] = fake.messagesIn(root.thread);
    expect(message.content).toBe("…and 490 more high findings: full list attached.");
    expect(message.attachments).toMatchObject([{ filename: "high-findings.txt", content }]);
  });

  it("truncates an over-long edit at a line boundary rather than failing", async () => {
    const root = await poster.postRoot(fake.channelId, { text: "root" });
    const long = Array.from({ length: 100 }, (_, i) => `line ${i} ${"x".repeat(30)}`).join("\n");
    await poster.update(fake.channelId, root.id, { text: long });
    const content = fake.messages.get(root.id)?.content ?? "";
    expect(content.length).toBeLessThanOrEqual(2_000);
    expect(content.endsWith("\n…")).toBe(true);
    expect(long.startsWith(content.slice(0, -2))).toBe(true);
  });

  it("registers commands in a guild and globally with a bulk PUT", async () => {
    const specs = [
      UPGRADE_CHECK_SPEC,
      {
        name: "upgrade-status",
        description: "Last check results",
        usage: "[context]",
        options: [{ name: "context", description: "cluster", autocomplete: "contexts" as const }],
      },
    ];
    const guild = await registerDiscordCommands({
      token: fake.token,
      applicationId: fake.applicationId,
      apiUrl: fake.url,
      guildId: fake.guildId,
      specs,
    });
    expect(guild).toEqual({ scope: "guild", count: 2 });
    const global = await registerDiscordCommands({
      token: fake.token,
      applicationId: fake.applicationId,
      apiUrl: fake.url,
      specs,
    });
    expect(global).toEqual({ scope: "global", count: 2 });
    const put = fake.calls.find(
      (c) => c.method === "PUT" && c.path === `/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`,
    );
    expect(put?.body[0]).toEqual({
      name: "upgrade-check",
      description: UPGRADE_CHECK_SPEC.description,
      type: 1,
      options: [
        {
          type: 3,
          name: "context",
          description: "kubeconfig context (cluster), or all",
          required: false,
          autocomplete: true,
        },
        { type: 3, name: "target", description: "target version, e.g. 1.32 (default: next minor)", required: false },
      ],
    });
    expect(fake.commands.get("global")?.map((c) => c.name)).toEqual(["upgrade-check", "upgrade-status"]);
  });

  it("refuses specs Discord would reject, naming the command and option", async () => {
    const bad = { name: "Upgrade Check", description: "x", usage: "", options: [] };
    await expect(
      registerDiscordCommands({ token: fake.token, applicationId: fake.applicationId, apiUrl: fake.url, specs: [bad] }),
    ).rejects.toThrow('command "Upgrade Check": name must be 1-32 lowercase letters');
    const order = {
      name: "x",
      description: "x",
      usage: "",
      options: [
        { name: "a", description: "a" },
        { name: "b", description: "b", required: true },
      ],
    };
    await expect(
      registerDiscordCommands({
        token: fake.token,
        applicationId: fake.applicationId,
        apiUrl: fake.url,
        specs: [order],
      }),
    ).rejects.toThrow('command "x", option "b": required options must come before optional ones');
  });
});

describe("Discord text formatting", () => {
  it("turns *bold* into **bold** but leaves code and list bullets alone", () => {
    expect(toDiscordMarkdown("*High* (2): `a*b*c` and * not bold")).toBe("**High** (2): `a*b*c` and * not bold");
  });

  it("keeps code fences balanced across parts", () => {
    const text = [
      "intro",
      "```yaml",
      ...Array.from({ length: 200 }, (_, i) => `key${i}: value-${"v".repeat(10)}`),
      "```",
      "outro",
    ].join("\n");
    const parts = splitMessage(text, 2_000);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2_000);
      expect((p.match(/```/g) ?? []).length % 2).toBe(0);
    }
    expect(parts[1].startsWith("```yaml\n")).toBe(true);
  });

  it("breaks a single line longer than the limit at spaces", () => {
    const parts = splitMessage("word ".repeat(1_000).trim(), 2_000);
    expect(parts.length).toBe(3);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2_000);
      expect(p.startsWith("word")).toBe(true);
      expect(p.endsWith("word")).toBe(true);
    }
  });
});

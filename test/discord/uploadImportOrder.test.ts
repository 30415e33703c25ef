// A file upload through DiscordPoster with the modules loaded in production's order: cli/services.ts
// imports adapters/discord (discord.js, @discordjs/rest, undici 6) before Slack and cli/compose.ts
// (@slack/bolt and @kubernetes/client-node, each with undici 8). undici 8, loading second, takes
// over the global dispatcher that undici 6 shares with it, and its requests refuse the FormData
// @discordjs/rest builds a multipart body from ("body must be a FormData created by this undici
// package instance"). vitest runs a test file's imports one after the other, as here; plain Node
// links all static ES imports first, and Node 24 then escapes by luck (adapters/discord/restAgent.ts).
import "../../cli/services.ts";
import { describe, expect, it } from "vitest";
import { DiscordPoster } from "../../adapters/discord/index.ts";
import { FakeDiscord } from "../fakes/fakeDiscord.ts";

/** undici's global dispatcher slot of Dispatcher API 1, which undici 6 reads (undici/lib/global.js). */
const UNDICI_GLOBAL_DISPATCHER_1 = Symbol.for("undici.globalDispatcher.1");

describe("DiscordPoster file upload after Slack and Kubernetes clients loaded", () => {
  it("holds the precondition: undici 8 owns the global dispatcher undici 6 would use", () => {
    // undici 8 (lib/global.js) wraps its Agent for older copies; if this stops holding, the upload
    // test below no longer reproduces the import-order hazard and needs another way to set it up.
    const globalDispatcher = (globalThis as Record<symbol, unknown>)[UNDICI_GLOBAL_DISPATCHER_1];
    expect(globalDispatcher?.constructor.name).toBe("Dispatcher1Wrapper");
  });

  it("uploads a backup file as an attachment to the fake Discord over a real socket", async () => {
    const fake = await FakeDiscord.start();
    try {
      const poster = new DiscordPoster({ token: fake.token, apiUrl: fake.url, timeoutMs: 5_000 });
      const content = JSON.stringify({ addon: "dns", manifests: ["a", "b"] });
      const root = await poster.postRoot(fake.channelId, { text: "cycle: prod" });
      await poster.postInThread(
        { channel: fake.channelId, thread: root.thread },
        { text: "dns: backup before the upgrade", file: { name: "backup-prod-dns.json", content } },
      );
      const [message] = fake.messagesIn(root.thread);
      expect(message.content).toBe("dns: backup before the upgrade");
      expect(message.attachments).toMatchObject([{ filename: "backup-prod-dns.json", content }]);
    } finally {
      await fake.close();
    }
  });
});

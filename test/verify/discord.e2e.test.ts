// /upgrade-verify over Discord end to end: INTERACTION_CREATE from the fake gateway to the real
// discord.js client and the production router, jobs on real Redis, the real check worker taking
// the baseline with /upgrade-check and verifying after the cluster behind the context was
// upgraded, the root, thread and verdict posted through DiscordPoster to the fake REST API.
import { afterEach, describe, expect, it } from "vitest";
import { createDiscordBot, DiscordPoster } from "../../adapters/discord/index.ts";
import { createBotRouter } from "../../cli/compose.ts";
import { createLogger } from "../../src/log.ts";
import { FakeDiscord, type FakeMessage, shownText } from "../fakes/fakeDiscord.ts";
import { BEFORE, RELEASE_PENDING } from "../fixtures/verify/clusters.ts";
import { startVerifyStack, UpgradableCluster } from "./harness.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup() {
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? "silent");
  const fake = await FakeDiscord.start({ heartbeatIntervalMs: 2_000 });
  cleanups.push(() => fake.close());
  const cluster = new UpgradableCluster("prod");
  await cluster.serve(BEFORE);
  cleanups.push(() => cluster.close());
  const stack = await startVerifyStack({
    cluster,
    poster: new DiscordPoster({ token: fake.token, apiUrl: fake.url, timeoutMs: 5_000 }),
    maxChars: () => 2_000,
  });
  cleanups.push(() => stack.close());
  const bot = createDiscordBot({
    token: fake.token,
    applicationId: fake.applicationId,
    apiUrl: fake.url,
    guildAllowlist: [fake.guildId],
    router: createBotRouter(cluster, stack.controls),
    contexts: () => cluster.names(),
    logger,
  });
  await bot.start();
  cleanups.push(() => bot.stop());
  return { fake, cluster };
}

/** Waits for the n-th root in the channel to carry a headline matching `pattern`. */
async function rootMatching(fake: FakeDiscord, n: number, pattern: RegExp): Promise<FakeMessage> {
  const deadline = Date.now() + 25_000;
  for (;;) {
    const root = fake.messagesIn(fake.channelId)[n];
    if (root && pattern.test(shownText(root))) return root;
    if (Date.now() > deadline)
      throw new Error(
        `root ${n} not there yet; channel has: ${fake
          .messagesIn(fake.channelId)
          .map((m) => shownText(m))
          .join(" | ")}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("/upgrade-verify over Discord", () => {
  it("takes the baseline from a check, then reports a release stuck pending", async () => {
    const { fake, cluster } = await setup();
    fake.interaction({ name: "upgrade-check", options: [{ name: "context", value: "prod" }] });
    await rootMatching(fake, 0, /: \**(ready|warnings|blocked)/);

    await cluster.serve(RELEASE_PENDING);
    const { id } = fake.interaction({ name: "upgrade-verify", options: [{ name: "context", value: "prod" }] });
    const callback = await fake.waitForCall((c) => c.path.startsWith(`/interactions/${id}/`), 10_000, "the callback");
    expect(callback.body).toEqual({ type: 5, data: { flags: 64 } });

    const root = await rootMatching(fake, 1, /\*\*degraded\*\*/);
    expect(shownText(root)).toMatch(
      /^\*\*Upgrade verify:\*\* prod v1\.32\.4 → v1\.33\.1, requested by <@100000000000000001>: \*\*degraded\*\* \(\d+ worse/,
    );
    expect(fake.threads.get(root.id)).toMatchObject({ parent_id: fake.channelId, message_id: root.id });
    const thread = fake.messagesIn(root.id);
    const all = thread.map((m) => shownText(m)).join("\n");
    expect(all).toContain("Helm release web/web is pending-upgrade at revision 3 (was deployed at 2)");
    expect(all).toContain("New finding HELM-01 Secret web/sh.helm.release.v1.web.v3");
    expect(all).toContain("Helm release web/web: revision 2 → 3 (web-1.4.0 → web-1.5.0)");
    for (const m of thread) expect(m.content.length).toBeLessThanOrEqual(2_000);
    expect(fake.calls.filter((c) => c.status >= 400)).toEqual([]);
  });
});

// What the Discord bot does when things go wrong: a bad token fails start() with a clear error,
// a handler that throws still gets the user the router's answer, and the token never reaches the logs.
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createDiscordBot, type DiscordBot } from "../../adapters/discord/index.ts";
import { CommandRouter, QUEUE_UNAVAILABLE_TEXT } from "../../commands/router.ts";
import { UPGRADE_CHECK_SPEC } from "../../commands/upgradeCheck.ts";
import { createLogger } from "../../src/log.ts";
import { FakeDiscord } from "../fakes/fakeDiscord.ts";

function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger("trace", sink), text: () => lines.join("") };
}

describe("Discord bot failure paths", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });

  async function setup(router: CommandRouter, token?: string, log = capturingLogger()) {
    const fake = await FakeDiscord.start();
    cleanups.push(() => fake.close());
    const bot: DiscordBot = createDiscordBot({
      token: token ?? fake.token,
      applicationId: fake.applicationId,
      apiUrl: fake.url,
      guildAllowlist: [],
      router,
      contexts: () => [],
      logger: log.logger,
      readyTimeoutMs: 5_000,
    });
    cleanups.push(() => bot.stop());
    return { fake, bot, log };
  }

  it("rejects start() when Discord refuses the token, without echoing it", async () => {
    const wrong = "wrong-token.very-secret-value";
    const { bot, fake, log } = await setup(new CommandRouter(), wrong);
    const err = await bot.start().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/token/i);
    expect(err?.message).not.toContain(wrong);
    expect(fake.calls.find((c) => c.path === "/gateway/bot")?.status).toBe(401);
    expect(bot.ready()).toBe(false);
    expect(log.text()).not.toContain(wrong);
  });

  it("answers the router's one refusal when a handler throws, logs the error once, and never the token", async () => {
    const log = capturingLogger();
    const router = new CommandRouter(
      [
        {
          spec: UPGRADE_CHECK_SPEC,
          async handle() {
            throw new Error("Redis is unreachable");
          },
        },
      ],
      { logger: log.logger },
    );
    const { bot, fake } = await setup(router, undefined, log);
    await bot.start();
    const { id, token } = fake.interaction({ name: "upgrade-check", options: [{ name: "context", value: "prod" }] });
    const callback = await fake.waitForCall((c) => c.path.startsWith(`/interactions/${id}/`));
    expect(callback.body.type).toBe(5);
    const edit = await fake.waitForCall((c) => c.method === "PATCH" && c.path.includes(token));
    expect(edit.body.content).toBe(QUEUE_UNAVAILABLE_TEXT);
    const failed = log
      .text()
      .split("\n")
      .filter((l) => l.includes("command failed"));
    expect(failed).toHaveLength(1);
    // The error with its stack, for whoever reads the log; the chat saw none of it.
    expect(JSON.parse(failed[0]).err).toMatchObject({ type: "Error", message: "Redis is unreachable" });
    expect(JSON.parse(failed[0]).err.stack).toContain("botFailures.test.ts");
    expect(log.text()).not.toContain(fake.token);
  });

  it("refuses a malformed application id at construction with the variable's name", () => {
    expect(() =>
      createDiscordBot({
        token: "t",
        applicationId: "not-a-snowflake",
        guildAllowlist: [],
        router: new CommandRouter(),
        contexts: () => [],
        logger: createLogger("silent"),
      }),
    ).toThrow("applicationId must be a Discord id (digits, DISCORD_APPLICATION_ID)");
  });
});

// Each platform's traits: one object per folder under adapters/, named for its platform, carried
// by that platform's poster and listed once in adapters/platformTraits.ts; and what each says.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { ConsolePoster } from "../../adapters/console/consolePoster.ts";
import { consoleTraits } from "../../adapters/console/consoleTraits.ts";
import { DiscordPoster } from "../../adapters/discord/discordPoster.ts";
import { discordTraits } from "../../adapters/discord/discordTraits.ts";
import { platformTraits } from "../../adapters/platformTraits.ts";
import { SlackPoster } from "../../adapters/slack/slackPoster.ts";
import { slackTraits } from "../../adapters/slack/slackTraits.ts";
import { describePeople, namedDirectly, PlatformTraitsTable } from "../../src/chat/platformTraits.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { approvalsSchema } from "../../src/config/schema.ts";

const ADAPTERS = join(import.meta.dirname, "../../adapters");
const approvers = approvalsSchema.parse({
  approvers: {
    slackUsers: ["U0BOB"],
    slackGroups: ["S0SRE"],
    discordUsers: ["100000000000000001"],
    discordRoles: ["400000000000000001"],
    consoleUsers: ["carol"],
  },
}).approvers;

describe("platform traits", () => {
  it("one traits object per adapters/ folder, named for it, in the table and on its poster", async () => {
    const folders = readdirSync(ADAPTERS, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(folders).toEqual(["console", "discord", "slack"]);
    for (const folder of folders) {
      const mod = await import(join(ADAPTERS, folder, `${folder}Traits.ts`));
      const traits = mod[`${folder}Traits`];
      expect(traits.platform).toBe(folder);
      expect(platformTraits.traits(folder as never)).toBe(traits);
    }
    const posters = [
      // Nothing is posted: the API URLs are a closed loopback port.
      new SlackPoster({
        botToken: "xoxb-test",
        slackApiUrl: "http://127.0.0.1:9/api/",
        logger: pino({ level: "silent" }),
      }),
      new DiscordPoster({ token: "test", apiUrl: "http://127.0.0.1:9/api" }),
      new ConsolePoster({ write: () => true } as unknown as NodeJS.WritableStream),
    ];
    const registry = new PosterRegistry(posters);
    for (const p of posters) expect(registry.traits(p.platform)).toBe(platformTraits.traits(p.platform));
    expect(() => new PosterRegistry([posters[0]]).traits("discord")).toThrow(/no chat platform "discord"/);
    expect(() => new PlatformTraitsTable([]).traits("slack")).toThrow(/no chat platform "slack"/);
  });

  it("writes people and channels as each platform does", () => {
    expect([slackTraits, discordTraits, consoleTraits].map((t) => t.mention({ userId: "u1", name: "Una" }))).toEqual([
      "<@u1>",
      "<@u1>",
      "@Una",
    ]);
    expect([slackTraits, discordTraits, consoleTraits].map((t) => t.channel("upgrades"))).toEqual([
      "<#upgrades>",
      "<#upgrades>",
      "#upgrades",
    ]);
    expect(describePeople(slackTraits, approvers)).toEqual(["<@U0BOB>", "<!subteam^S0SRE>"]);
    expect(describePeople(discordTraits, approvers)).toEqual(["<@100000000000000001>", "<@&400000000000000001>"]);
    expect(describePeople(consoleTraits, approvers)).toEqual(["@carol"]);
  });

  it("says where a thread reply is addressed, which reactions to seed and how long a message may be", () => {
    const address = { channel: "C1", thread: "T1" };
    expect([slackTraits, discordTraits, consoleTraits].map((t) => t.threadMessageChannel(address))).toEqual([
      "C1",
      "T1",
      "C1",
    ]);
    expect(slackTraits.seedEmoji).toEqual({ approve: "white_check_mark", cancel: "x" });
    expect(discordTraits.seedEmoji).toEqual({ approve: "✅", cancel: "❌" });
    expect(consoleTraits.seedEmoji).toEqual({ approve: "✅", cancel: "❌" });
    expect([slackTraits, discordTraits, consoleTraits].map((t) => t.maxMessageChars)).toEqual([3_000, 2_000, 3_000]);
  });

  it("reads only its own platform's names in upshift.yaml", () => {
    expect(slackTraits.people(approvers)).toEqual({ users: ["U0BOB"], groups: ["S0SRE"], roles: [] });
    expect(discordTraits.people(approvers)).toEqual({
      users: ["100000000000000001"],
      groups: [],
      roles: ["400000000000000001"],
    });
    expect(consoleTraits.people(approvers)).toEqual({ users: ["carol"], groups: [], roles: [] });
    const discord = discordTraits.people(approvers);
    expect(namedDirectly(discord, { userId: "100000000000000001" })).toBe(true);
    expect(namedDirectly(discord, { userId: "9", roles: ["400000000000000001"] })).toBe(true);
    expect(namedDirectly(discord, { userId: "9", roles: ["5"] })).toBe(false);
    // A Slack user id named for Discord, or a console name, admits nobody on Slack.
    expect(namedDirectly(slackTraits.people(approvers), { userId: "carol" })).toBe(false);
  });
});

import { readFileSync } from "node:fs";
import { GatewayIntentBits, PermissionFlagsBits } from "discord.js";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./render.ts";

const readme = readFileSync(`${REPO_ROOT}deploy/README.md`, "utf8");

describe("deploy/README.md", () => {
  it("states the Discord permissions integer that the listed permissions add up to", () => {
    const P = PermissionFlagsBits;
    const permissions =
      P.ViewChannel |
      P.SendMessages |
      P.CreatePublicThreads |
      P.SendMessagesInThreads |
      P.EmbedLinks |
      P.AttachFiles |
      P.AddReactions |
      P.ReadMessageHistory;
    expect(readme).toContain(`**${permissions}**`);
    expect(readme).toContain(
      `https://discord.com/oauth2/authorize?client_id=<DISCORD_APPLICATION_ID>&scope=bot+applications.commands&permissions=${permissions}`,
    );
  });

  it("states the intents bitfield of Guilds, GuildMessages and GuildMessageReactions", () => {
    const intents =
      GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.GuildMessageReactions;
    expect(readme).toContain(`(bitfield ${intents})`);
  });

  it("documents the overlays that exist", () => {
    for (const overlay of ["read-only", "addon-cycles", "with-redis"]) {
      expect(readme).toContain(`kubectl apply -k deploy/kubernetes/overlays/${overlay}`);
    }
  });
});

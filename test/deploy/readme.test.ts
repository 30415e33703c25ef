import { readFileSync } from "node:fs";
import { GatewayIntentBits, PermissionFlagsBits } from "discord.js";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { platformTraits } from "../../adapters/platformTraits.ts";
import { decide, grantsFor, refusalText } from "../../src/access/rules.ts";
import { accessSchema, fileConfigSchema } from "../../src/config/schema.ts";
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

describe("access rules in the docs", () => {
  /** Every ```yaml block with an access key in a Markdown file, validated as upshift.yaml is. */
  function accessBlocks(path: string): unknown[] {
    const text = readFileSync(`${REPO_ROOT}${path}`, "utf8");
    return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => parseYaml(m[1]) as Record<string, unknown>)
      .filter((doc) => doc && typeof doc === "object" && "access" in doc);
  }

  it.each(["README.md", "deploy/README.md"])("%s: every example is a valid upshift.yaml", (path) => {
    const blocks = accessBlocks(path);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(fileConfigSchema.safeParse(block).error?.issues).toBeUndefined();
  });

  it("the refusal quoted in the docs is the one the rules produce", () => {
    const rules = accessSchema.parse({
      rules: [
        { channels: { slack: ["C0PROD001"] }, clusters: ["prod"], commands: ["upgrade-check", "upgrade-status"] },
      ],
    }).rules;
    const d = decide(
      grantsFor(platformTraits, rules, { platform: "slack", channel: "C0PROD001", userId: "U1" }),
      "upgrade-watch",
      {
        clusters: ["prod"],
      },
      ["prod"],
    );
    if (d.allowed) throw new Error("expected a refusal");
    const quoted = refusalText("upgrade-watch", d, ["prod"]);
    for (const path of ["README.md", "deploy/README.md"]) {
      const text = readFileSync(`${REPO_ROOT}${path}`, "utf8").replace(/\n(?=\S)/g, " ");
      expect(text).toContain(quoted);
    }
  });
});

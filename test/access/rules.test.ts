// Pure evaluation of access rules: each rule kind (channel, cluster, command, users by id, Slack
// group, Discord role), `all`, merging of several rules, and the refusal's wording.
import { describe, expect, it } from "vitest";
import { platformTraits } from "../../adapters/platformTraits.ts";
import { commandSpecs } from "../../commands/index.ts";
import { decide, describeGrants, grantsFor, groupsToResolve, refusalText } from "../../src/access/rules.ts";
import { ACCESS_COMMANDS, type AccessRule, accessSchema } from "../../src/config/schema.ts";

const rules: AccessRule[] = accessSchema.parse({
  rules: [
    // #prod: prod, read-only commands, anyone there.
    {
      channels: { slack: ["C0PROD001"], discord: ["112233445566778899"] },
      clusters: ["prod"],
      commands: ["upgrade-check", "upgrade-status"],
    },
    // #prod: cycles on prod only for the SRE group/role or one named user.
    {
      channels: { slack: ["C0PROD001"], discord: ["112233445566778899"] },
      clusters: ["prod"],
      commands: ["upgrade-cycle", "upgrade-cycle-abort"],
      users: { slackUsers: ["U0BOSS"], slackGroups: ["S0SRE"], discordRoles: ["900000000000000001"] },
    },
    // #staging: staging and dev, every command.
    { channels: { slack: ["C0STAGING"] }, clusters: ["staging", "dev"] },
    { channels: { console: ["upgrades"] }, clusters: ["demo"], users: { consoleUsers: ["alice"] } },
  ],
}).rules;

const contexts = ["prod", "staging", "dev", "demo", "other"];
const slack = (channel: string, userId = "U0ANY") => ({ platform: "slack" as const, channel, userId });

describe("access rules", () => {
  it("channel: a channel no rule names may use nothing", () => {
    const g = grantsFor(platformTraits, rules, slack("C0RANDOM"));
    expect(g.size).toBe(0);
    expect(decide(g, "upgrade-check", { clusters: ["staging"] }, contexts)).toMatchObject({ allowed: false });
  });

  it("cluster: a channel may name only its clusters", () => {
    const g = grantsFor(platformTraits, rules, slack("C0STAGING"));
    expect(decide(g, "upgrade-check", { clusters: ["staging"] }, contexts)).toEqual({
      allowed: true,
      clusters: ["staging"],
    });
    expect(decide(g, "upgrade-check", { clusters: ["prod"] }, contexts)).toMatchObject({
      allowed: false,
      refused: ["prod"],
    });
  });

  it("command: a rule with commands allows only those", () => {
    const g = grantsFor(platformTraits, rules, slack("C0PROD001"));
    expect(decide(g, "upgrade-status", { clusters: ["prod"] }, contexts).allowed).toBe(true);
    expect(decide(g, "upgrade-watch", { clusters: ["prod"] }, contexts).allowed).toBe(false);
    expect(decide(g, "upgrade-cycle", { clusters: ["prod"] }, contexts).allowed).toBe(false);
  });

  it("users: a Slack user by id or by group, a Discord role; others are not admitted by that rule", () => {
    expect(
      decide(
        grantsFor(platformTraits, rules, slack("C0PROD001", "U0BOSS")),
        "upgrade-cycle",
        { clusters: ["prod"] },
        contexts,
      ).allowed,
    ).toBe(true);
    const inSre = (g: string) => g === "S0SRE";
    expect(
      decide(
        grantsFor(platformTraits, rules, slack("C0PROD001", "U0SRE"), inSre),
        "upgrade-cycle",
        { clusters: ["prod"] },
        contexts,
      ).allowed,
    ).toBe(true);
    expect(groupsToResolve(platformTraits, rules, slack("C0PROD001", "U0SRE"))).toEqual(["S0SRE"]);
    expect(groupsToResolve(platformTraits, rules, slack("C0PROD001", "U0BOSS"))).toEqual([]);
    const discord = { platform: "discord" as const, channel: "112233445566778899", userId: "100000000000000001" };
    expect(
      decide(grantsFor(platformTraits, rules, discord), "upgrade-cycle", { clusters: ["prod"] }, contexts).allowed,
    ).toBe(false);
    expect(
      decide(
        grantsFor(platformTraits, rules, { ...discord, roles: ["900000000000000001"] }),
        "upgrade-cycle",
        { clusters: ["prod"] },
        contexts,
      ).allowed,
    ).toBe(true);
    expect(
      grantsFor(platformTraits, rules, { platform: "console", channel: "upgrades", userId: "alice" }).get("demo"),
    ).toBe("every");
    expect(grantsFor(platformTraits, rules, { platform: "console", channel: "upgrades", userId: "mallory" }).size).toBe(
      0,
    );
  });

  it("platforms do not mix: a Slack rule's channel id means nothing on Discord", () => {
    expect(grantsFor(platformTraits, rules, { platform: "discord", channel: "C0STAGING", userId: "1" }).size).toBe(0);
  });

  it("all: the configured contexts this channel allows for the command; none is a refusal", () => {
    expect(
      decide(grantsFor(platformTraits, rules, slack("C0STAGING")), "upgrade-check", { all: true }, contexts),
    ).toEqual({
      allowed: true,
      clusters: ["staging", "dev"],
    });
    expect(
      decide(grantsFor(platformTraits, rules, slack("C0PROD001")), "upgrade-watch", { all: true }, contexts),
    ).toMatchObject({
      allowed: false,
      refused: ["all"],
    });
  });

  it("merges rules by cluster and describes what the channel allows", () => {
    const g = grantsFor(platformTraits, rules, slack("C0PROD001", "U0BOSS"));
    expect([...(g.get("prod") as Set<string>)].sort()).toEqual([
      "upgrade-check",
      "upgrade-cycle",
      "upgrade-cycle-abort",
      "upgrade-status",
    ]);
    expect(describeGrants(grantsFor(platformTraits, rules, slack("C0STAGING")))).toBe("staging, dev (every command)");
  });

  it("a refusal says what was refused, what the channel allows, and that nothing was queued", () => {
    const g = grantsFor(platformTraits, rules, slack("C0PROD001"));
    const d = decide(g, "upgrade-watch", { clusters: ["prod"] }, contexts);
    if (d.allowed) throw new Error("expected a refusal");
    expect(refusalText("upgrade-watch", d, contexts)).toBe(
      "Refused: /upgrade-watch on prod is not allowed in this channel. Here you may use: prod (/upgrade-check, /upgrade-status). Nothing was queued. Access is granted in upshift.yaml (access.rules).",
    );
    const none = decide(grantsFor(platformTraits, rules, slack("C0RANDOM")), "upgrade-check", { all: true }, contexts);
    if (none.allowed) throw new Error("expected a refusal");
    expect(refusalText("upgrade-check", none, contexts)).toBe(
      "Refused: /upgrade-check all: no cluster is allowed for /upgrade-check in this channel. Here you may use no cluster: no access rule allows you Upshift in this channel. Nothing was queued. Access is granted in upshift.yaml (access.rules).",
    );
  });

  it("knows every registered command by name", () => {
    expect([...ACCESS_COMMANDS].sort()).toEqual(
      commandSpecs()
        .map((s) => s.name)
        .sort(),
    );
  });
});

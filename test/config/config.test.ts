import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { approvalsFor, ignoreRulesFor, loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/errors/configError.ts";

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration from the environment", () => {
  it("has working defaults with nothing set", () => {
    const c = loadConfig({});
    expect(c.env.REDIS_URL).toBe("redis://127.0.0.1:6379");
    expect(c.env.PORT).toBe(3000);
    expect(c.file.approvals.required).toBe(1);
    expect(c.file.approvals.expiresAfter).toBe(30 * 60_000);
  });

  it("names every bad variable and what it expects, all at once", () => {
    const p = problems({
      REDIS_URL: "localhost:6379",
      PORT: "http",
      SLACK_BOT_TOKEN: "xoxp-user-token",
      LOG_LEVEL: "loud",
    });
    expect(p.find((x) => x.startsWith("REDIS_URL:"))).toContain("redis://host:port");
    expect(p.find((x) => x.startsWith("PORT:"))).toBeDefined();
    expect(p.find((x) => x.startsWith("SLACK_BOT_TOKEN:"))).toContain('"xoxb-"');
    expect(p.find((x) => x.startsWith("LOG_LEVEL:"))).toBeDefined();
    expect(p.find((x) => x.startsWith("SLACK_SIGNING_SECRET:"))).toContain("signature");
  });

  it("bounds a check by UPSHIFT_CHECK_DEADLINE_SECONDS: 60 by default, whole seconds from 5 to 3600", () => {
    expect(loadConfig({}).env.UPSHIFT_CHECK_DEADLINE_SECONDS).toBe(60);
    expect(loadConfig({ UPSHIFT_CHECK_DEADLINE_SECONDS: "120" }).env.UPSHIFT_CHECK_DEADLINE_SECONDS).toBe(120);
    for (const bad of ["0", "1.5", "soon", "86400"])
      expect(problems({ UPSHIFT_CHECK_DEADLINE_SECONDS: bad })[0]).toMatch(/^UPSHIFT_CHECK_DEADLINE_SECONDS: /);
  });

  it("reads UPSHIFT_HELM_NAMESPACES as a list of namespace names, unset meaning cluster-wide", () => {
    expect(loadConfig({}).env.UPSHIFT_HELM_NAMESPACES).toBeUndefined();
    expect(
      loadConfig({ UPSHIFT_HELM_NAMESPACES: "kube-system, cattle-fleet-system" }).env.UPSHIFT_HELM_NAMESPACES,
    ).toEqual(["kube-system", "cattle-fleet-system"]);
    expect(problems({ UPSHIFT_HELM_NAMESPACES: "kube-system,Bad_NS" })[0]).toMatch(
      /^UPSHIFT_HELM_NAMESPACES\.1: expected namespace names/,
    );
    expect(problems({ UPSHIFT_HELM_NAMESPACES: " , " })[0]).toMatch(
      /^UPSHIFT_HELM_NAMESPACES: expected at least one namespace/,
    );
  });

  it("takes an absolute docs URL for alert links and refuses a relative one", () => {
    expect(loadConfig({ UPSHIFT_DOCS_URL: "https://example.com/docs/checks.md" }).env.UPSHIFT_DOCS_URL).toBe(
      "https://example.com/docs/checks.md",
    );
    expect(problems({ UPSHIFT_DOCS_URL: "docs/checks.md" })[0]).toMatch(/^UPSHIFT_DOCS_URL: expected an absolute URL/);
  });

  it("accepts Slack in Socket Mode without a signing secret", () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" });
    expect(c.env.SLACK_APP_TOKEN).toBe("xapp-1");
  });

  it("splits and checks the Discord guild allowlist", () => {
    expect(loadConfig({ DISCORD_GUILD_IDS: "123456789, 987654321" }).env.DISCORD_GUILD_IDS).toEqual([
      "123456789",
      "987654321",
    ]);
    expect(problems({ DISCORD_GUILD_IDS: "123456789,general" })[0]).toMatch(
      /^DISCORD_GUILD_IDS: "general" is not a guild id/,
    );
  });

  it("never puts a secret's value in a problem message", () => {
    const p = problems({ SLACK_BOT_TOKEN: "not-a-bot-token-s3cr3t" });
    expect(p.join("\n")).not.toContain("s3cr3t");
  });
});

describe("upshift.yaml", () => {
  const dir = mkdtempSync(join(tmpdir(), "upshift-config-"));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("reports the path of a bad field", () => {
    const path = write(
      "bad.yaml",
      "approvals:\n  required: 0\n  expiresAfter: soon\nclusters:\n  prod:\n    ignore:\n      - check: helm01\n",
    );
    const p = problems({ UPSHIFT_CONFIG: path });
    expect(p.some((x) => x.startsWith(`${path}: approvals.required:`))).toBe(true);
    expect(p.some((x) => x.startsWith(`${path}: approvals.expiresAfter:`) && x.includes('"30m"'))).toBe(true);
    expect(p.some((x) => x.startsWith(`${path}: clusters.prod.ignore.0.check:`) && x.includes("HELM-01"))).toBe(true);
  });

  it("refuses unknown keys (a typo must not silently disable a rule)", () => {
    const path = write("typo.yaml", "approval:\n  required: 2\n");
    expect(problems({ UPSHIFT_CONFIG: path }).join("\n")).toMatch(/approval/);
  });

  it("says when the file is not YAML", () => {
    const path = write("broken.yaml", "approvals: [\n");
    expect(problems({ UPSHIFT_CONFIG: path })[0]).toMatch(/cannot read it as YAML/);
  });

  it("lets a cluster override approvals and add ignore rules", () => {
    const path = write(
      "ok.yaml",
      [
        "approvals: { required: 1, approvers: { slackUsers: [U111] } }",
        "ignore: [{ check: WL-01 }]",
        "clusters:",
        "  prod:",
        "    approvals: { required: 2 }",
        "    ignore: [{ check: PDB-01, namespace: kube-system }]",
      ].join("\n"),
    );
    const c = loadConfig({ UPSHIFT_CONFIG: path });
    expect(approvalsFor(c.file, "prod")).toMatchObject({ required: 2, approvers: { slackUsers: ["U111"] } });
    expect(approvalsFor(c.file, "staging").required).toBe(1);
    expect(ignoreRulesFor(c.file, "prod").map((r) => r.check)).toEqual(["WL-01", "PDB-01"]);
  });
});

describe("upshift.yaml access rules", () => {
  const dir = mkdtempSync(join(tmpdir(), "upshift-access-"));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("takes the documented shape; no access key means nothing is restricted", () => {
    const path = write(
      "access.yaml",
      [
        "access:",
        "  rules:",
        '    - channels: { slack: [C0PROD001], discord: ["112233445566778899"] }',
        "      clusters: [prod]",
        "      commands: [upgrade-check, upgrade-status]",
        "      users: { slackUsers: [], slackGroups: [S0614TZR7], discordUsers: [], discordRoles: [] }",
        "    - channels: { slack: [C0STAGING] }",
        "      clusters: [staging]",
      ].join("\n"),
    );
    const { file } = loadConfig({ UPSHIFT_CONFIG: path });
    expect(file.access?.rules).toEqual([
      {
        channels: { slack: ["C0PROD001"], discord: ["112233445566778899"], console: [] },
        clusters: ["prod"],
        commands: ["upgrade-check", "upgrade-status"],
        users: { slackUsers: [], slackGroups: ["S0614TZR7"], discordUsers: [], discordRoles: [], consoleUsers: [] },
      },
      { channels: { slack: ["C0STAGING"], discord: [], console: [] }, clusters: ["staging"] },
    ]);
    expect(loadConfig({}).file.access).toBeUndefined();
  });

  it("names the field path of every bad value", () => {
    const path = write(
      "bad-access.yaml",
      [
        "access:",
        "  rules:",
        "    - channels: { slack: [general], discord: [ops] }",
        "      clusters: []",
        "      commands: [upgrade-chek]",
        "      users: { slackUser: [U1] }",
        "    - channels: {}",
        "      clusters: [prod]",
        "    - channels: { slack: [C1] }",
        "      clusters: [prod]",
        "      users: {}",
        "  rule: []",
      ].join("\n"),
    );
    const p = problems({ UPSHIFT_CONFIG: path }).map((x) => x.slice(path.length + 2));
    expect(p).toEqual(
      expect.arrayContaining([
        "access.rules.0.channels.slack.0: expected a Slack id such as U012AB3CD or S0614TZR7",
        "access.rules.0.channels.discord.0: expected a Discord id (snowflake, digits only)",
        "access.rules.0.clusters: expected at least one cluster",
        expect.stringMatching(/^access\.rules\.0\.commands\.0: expected one of upgrade-check, upgrade-status, /),
        expect.stringMatching(/^access\.rules\.0\.users: Unrecognized key: "slackUser"/),
        "access.rules.1.channels: expected at least one channel id (slack, discord)",
        expect.stringMatching(/^access\.rules\.2\.users: names nobody/),
        expect.stringMatching(/^access: Unrecognized key: "rule"/),
      ]),
    );
  });

  it("accepts command names written with their slash", () => {
    const path = write(
      "slash.yaml",
      "access:\n  rules:\n    - channels: { slack: [C1] }\n      clusters: [prod]\n      commands: [/upgrade-status]\n",
    );
    expect(loadConfig({ UPSHIFT_CONFIG: path }).file.access?.rules[0].commands).toEqual(["upgrade-status"]);
  });
});

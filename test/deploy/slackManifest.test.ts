import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { UPGRADE_CHECK_SPEC } from "../../commands/upgradeCheck.ts";
import { REPO_ROOT } from "./render.ts";

/** The documented command set (deploy/README.md); the router must know each by the same name. */
const COMMANDS = [
  "/upgrade-check",
  "/upgrade-status",
  "/upgrade-watch",
  "/upgrade-cycle",
  "/upgrade-cycle-status",
  "/upgrade-cycle-abort",
  "/upgrade-verify",
];
const SCOPES = [
  "commands",
  "chat:write",
  "reactions:read",
  "reactions:write",
  "files:write",
  "usergroups:read",
  // Read back Upshift's own posts by metadata key after a worker crash (never post twice).
  "channels:history",
  "groups:history",
];
const EVENTS_URL = "https://upshift.example.com/slack/events";

interface SlashCommand {
  command: string;
  url?: string;
  description: string;
  usage_hint?: string;
  should_escape?: boolean;
}
interface SlackManifest {
  _metadata: { major_version: number };
  display_information: { name: string; description: string };
  features: { bot_user: { display_name: string }; slash_commands: SlashCommand[] };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[]; user_events?: string[] };
    socket_mode_enabled: boolean;
    interactivity?: { is_enabled: boolean; request_url?: string };
  };
}

const load = (file: string) => parse(readFileSync(`${REPO_ROOT}deploy/${file}`, "utf8")) as SlackManifest;

/**
 * The specs the router registers, as far as commands/*.ts exist today: every exported *_SPEC, and
 * the `.spec` of every exported *Command factory (specs are static, so empty deps suffice).
 */
async function commandSpecs(): Promise<Array<{ name: string; description: string; usage: string }>> {
  const dir = `${REPO_ROOT}commands`;
  const specs: Array<{ name: string; description: string; usage: string }> = [UPGRADE_CHECK_SPEC];
  for (const file of readdirSync(dir).filter(
    (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "upgradeCheck.ts",
  )) {
    const mod = (await import(`${dir}/${file}`)) as Record<string, unknown>;
    for (const [key, value] of Object.entries(mod)) {
      if (key.endsWith("_SPEC") && value && typeof value === "object" && "name" in value && "usage" in value) {
        specs.push(value as { name: string; description: string; usage: string });
      }
      if (key.endsWith("Command") && typeof value === "function") {
        let spec: unknown;
        try {
          spec = (value as (deps: unknown) => { spec?: unknown })({}).spec;
        } catch {
          continue;
        }
        if (spec && typeof spec === "object" && "name" in spec && "usage" in spec) {
          specs.push(spec as { name: string; description: string; usage: string });
        }
      }
    }
  }
  return [...new Map(specs.map((s) => [s.name, s])).values()];
}

describe.each([
  ["slack-app-manifest.yaml", false],
  ["slack-app-manifest.socket-mode.yaml", true],
] as const)("%s", (file, socketMode) => {
  const m = load(file);

  it("declares the bot user and exactly the documented slash commands", () => {
    expect(m._metadata.major_version).toBe(1);
    expect(m.display_information.name).toBe("Upshift");
    expect(m.features.bot_user.display_name).toBe("Upshift");
    expect(m.features.slash_commands.map((c) => c.command)).toEqual(COMMANDS);
    for (const c of m.features.slash_commands) {
      expect(c.usage_hint, c.command).toBeTruthy();
      expect(c.description.length, c.command).toBeLessThanOrEqual(100);
      if (socketMode) expect(c.url, c.command).toBeUndefined();
      else expect(c.url, c.command).toBe(EVENTS_URL);
    }
  });

  it("matches the description and usage of every command spec the router knows", async () => {
    const specs = await commandSpecs();
    expect(specs.map((s) => s.name)).toContain("upgrade-check");
    for (const spec of specs) {
      const cmd = m.features.slash_commands.find((c) => c.command === `/${spec.name}`);
      expect(cmd, `/${spec.name} is in the manifest`).toBeDefined();
      expect(cmd!.usage_hint, spec.name).toBe(spec.usage);
      expect(cmd!.description, spec.name).toBe(spec.description);
    }
  });

  it("asks for exactly the documented bot scopes and no user scopes", () => {
    expect([...m.oauth_config.scopes.bot].sort()).toEqual([...SCOPES].sort());
    expect(m.oauth_config.scopes.user).toBeUndefined();
  });

  it("subscribes to reaction events only, in the right mode", () => {
    expect(m.settings.event_subscriptions.bot_events).toEqual(["reaction_added", "reaction_removed"]);
    expect(m.settings.event_subscriptions.user_events).toBeUndefined();
    expect(m.settings.socket_mode_enabled).toBe(socketMode);
    if (socketMode) expect(m.settings.event_subscriptions.request_url).toBeUndefined();
    else expect(m.settings.event_subscriptions.request_url).toBe(EVENTS_URL);
  });

  it("enables interactivity for the approval buttons, at the events URL over HTTP", () => {
    expect(m.settings.interactivity?.is_enabled).toBe(true);
    if (socketMode) expect(m.settings.interactivity?.request_url).toBeUndefined();
    else expect(m.settings.interactivity?.request_url).toBe(EVENTS_URL);
  });

  it("justifies each scope in a comment", () => {
    const text = readFileSync(`${REPO_ROOT}deploy/${file}`, "utf8");
    const lines = text.split("\n");
    for (const scope of SCOPES) {
      const i = lines.findIndex((l) => l.trim() === `- ${scope}`);
      expect(i, scope).toBeGreaterThan(0);
      expect(lines[i - 1].trim().startsWith("#"), `comment above ${scope}`).toBe(true);
    }
  });
});

it("the two manifests differ only in how Slack reaches Upshift", () => {
  const http = load("slack-app-manifest.yaml");
  const socket = load("slack-app-manifest.socket-mode.yaml");
  const strip = (m: SlackManifest) => ({
    ...m,
    features: { ...m.features, slash_commands: m.features.slash_commands.map(({ url: _url, ...c }) => c) },
    settings: {
      ...m.settings,
      socket_mode_enabled: null,
      event_subscriptions: { ...m.settings.event_subscriptions, request_url: null },
      interactivity: { ...m.settings.interactivity, request_url: null },
    },
  });
  expect(strip(socket)).toEqual(strip(http));
  expect(existsSync(`${REPO_ROOT}deploy/README.md`)).toBe(true);
});

// `upshift discord register` as an operator runs it, against the fake Discord REST API.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandSpecs } from "../../commands/index.ts";
import { FakeDiscord } from "../fakes/fakeDiscord.ts";

const BIN = new URL("../../bin/upshift.js", import.meta.url).pathname;
let fake: FakeDiscord;

beforeAll(async () => {
  fake = await FakeDiscord.start();
});
afterAll(async () => {
  await fake.close();
});

function register(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, "discord", "register", ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("upshift discord register", () => {
  it("registers every command in a guild, with autocomplete on the context option", async () => {
    const env = { DISCORD_TOKEN: fake.token, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.url };
    const r = await register(["--guild", fake.guildId], env);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`registered ${commandSpecs().length} commands in guild ${fake.guildId}\n`);
    const registered = fake.commands.get(fake.guildId) as Array<{
      name: string;
      options: Array<{ name: string; autocomplete?: boolean }>;
    }>;
    expect(registered.map((c) => c.name).sort()).toEqual(
      commandSpecs()
        .map((s) => s.name)
        .sort(),
    );
    const check = registered.find((c) => c.name === "upgrade-check")!;
    expect(check.options.find((o) => o.name === "context")?.autocomplete).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(fake.token);
  });

  it("refuses a guild id that is not one, and missing credentials, with exit 2", async () => {
    const bad = await register(["--guild", "general"], { DISCORD_TOKEN: "t", DISCORD_APPLICATION_ID: "123456789" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('upshift: --guild: expected a guild id (digits), got "general"\n');
    const missing = await register([], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("DISCORD_TOKEN and DISCORD_APPLICATION_ID: both are required");
  });
});

// src/ names no chat platform, and neither do the layers above it that serve every platform (the
// command handlers and the worker): what a platform is (its name, its mention and channel syntax,
// the names it reads in upshift.yaml) lives in its traits under adapters/<platform>/, and only
// adapters/ and the wiring in cli/ name platforms. This reads every source file of those folders
// as code, with comments dropped (they may talk about the product), and fails on a platform's
// name as a string (`platform === "slack"`, `case "discord"`), a platform's markup in any literal
// (`<@id>`, `<#channel>`, `<!subteam^…>`), or an identifier named for a platform (`slackUsers`)
// outside the config schema, whose keys are upshift.yaml's own format. The reading is
// test/tools/platformNames.ts; the second test shows it finds each of those.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_FORMAT, platformNamesIn } from "../tools/platformNames.ts";

const ROOT = join(import.meta.dirname, "../..");
/** The platform-neutral folders. */
const NEUTRAL = ["src", "commands", "worker"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

describe("the platform seam", () => {
  it("src/, commands/ and worker/ name no chat platform: no platform's name, markup or config names", () => {
    const files = NEUTRAL.flatMap((dir) => sourceFiles(join(ROOT, dir)));
    expect(files.length).toBeGreaterThan(150);
    const found = files.flatMap((f) => {
      const path = relative(ROOT, f);
      return platformNamesIn(readFileSync(f, "utf8"), path).map((what) => `${path}: ${what}`);
    });
    expect(found).toEqual([]);
  });

  it("finds a platform branch, mention syntax and a platform's config names, and not comments or the console", () => {
    const branchy = readFileSync(join(import.meta.dirname, "../fixtures/platformSeam/branchy.ts.txt"), "utf8");
    expect(platformNamesIn(branchy, "src/somewhere.ts")).toEqual([
      'platform name: "console"',
      'platform name: "discord"',
      'platform markup: "<@"',
      'platform markup: "see <#"',
      'platform markup: "<!subteam^"',
      'platform markup: "<@!?([^>|]+)>"',
      "platform identifier: slackUsers",
      "platform identifier: discordRoles",
      "platform identifier: consoleUsers",
    ]);
    // The same words in comments, and the global console, are no platform knowledge.
    const clean = ['// if (platform === "slack") `<@id>`', "/* <#channel> discordUsers */", 'console.log("done")'].join(
      "\n",
    );
    expect(platformNamesIn(clean, "src/somewhere.ts")).toEqual([]);
    // The config schema's keys are upshift.yaml's format; its strings are still read.
    expect(platformNamesIn('const k = { slackUsers: [] }; const p = "slack";', CONFIG_FORMAT)).toEqual([
      'platform name: "slack"',
    ]);
  });
});

// Upshift's Lua scripts are files in src/redis/scripts, loaded once and called by EVALSHA:
// every file is loaded, every loaded script has its file, each header documents exactly the
// KEYS and ARGV its body uses, the build copies them, and a Redis that lost its script cache
// (SCRIPT FLUSH, as after a restart or failover) still runs them.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, globSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedRedis, startEmbeddedRedis } from "../../src/redis/embeddedRedis.ts";
import { runScript, SCRIPT_KEYS, SCRIPTS, type ScriptName, scriptFileName } from "../../src/redis/scripts.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const DIR = `${ROOT}src/redis/scripts/`;
const names = Object.keys(SCRIPT_KEYS) as ScriptName[];

function indexesUsed(text: string, what: "KEYS" | "ARGV"): number[] {
  return [...new Set([...text.matchAll(new RegExp(`${what}\\[(\\d+)\\]`, "g"))].map((m) => Number(m[1])))].sort(
    (a, b) => a - b,
  );
}

describe("script files", () => {
  it("loads every file in src/redis/scripts, and every loaded script has its file", () => {
    const files = readdirSync(DIR).sort();
    expect(
      files.every((f) => /^[a-z][A-Za-z]*-\d+\.lua$/.test(f)),
      files.join(", "),
    ).toBe(true);
    expect(names.map(scriptFileName).sort()).toEqual(files);
    expect([...SCRIPTS.keys()].sort()).toEqual([...names].sort());
    for (const name of names) expect(SCRIPTS.get(name)).toBe(readFileSync(`${DIR}${scriptFileName(name)}`, "utf8"));
  });

  it.each(names)("%s: the header lists exactly the KEYS and ARGV the body uses", (name) => {
    const text = SCRIPTS.get(name) ?? "";
    const header = /^--\[\[([\s\S]*?)\]\]/.exec(text)?.[1];
    expect(header, "a --[[ ... ]] header comment opens the file").toBeDefined();
    const body = text.slice(text.indexOf("]]") + 2);
    const keys = Array.from({ length: SCRIPT_KEYS[name] }, (_, i) => i + 1);
    expect(indexesUsed(header ?? "", "KEYS")).toEqual(keys);
    expect(indexesUsed(body, "KEYS")).toEqual(keys);
    // ARGV[2..n] documents a variadic tail (read as #ARGV): the header may name fewer than the body reads.
    const argvInBody = indexesUsed(body, "ARGV");
    const argvInHeader = indexesUsed(header ?? "", "ARGV");
    for (const i of argvInBody) expect(argvInHeader, `ARGV[${i}] documented`).toContain(i);
  });

  it("no TypeScript under src/ but the loader embeds Lua or calls EVAL itself", () => {
    const offenders = globSync("src/**/*.ts", { cwd: ROOT })
      .filter((f) => f !== "src/redis/scripts.ts")
      .filter((f) => /redis\.call\(|\.eval\(|\.evalsha\(/.test(readFileSync(`${ROOT}${f}`, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("the build copies every script beside the built code", () => {
    const build = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).scripts.build as string;
    expect(build).toContain("node bin/copy-assets.js");
    const target = mkdtempSync(`${tmpdir()}/upshift-assets-`);
    try {
      execFileSync("node", ["bin/copy-assets.js", target], { cwd: ROOT, stdio: "pipe", timeout: 20_000 });
      for (const name of names)
        expect(existsSync(`${target}/src/redis/scripts/${scriptFileName(name)}`), name).toBe(true);
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  });
});

describe("runScript on a real Redis", () => {
  let server: EmbeddedRedis;
  let redis: Redis;

  beforeAll(async () => {
    // Its own server: SCRIPT FLUSH must not touch the scripts other test files have loaded.
    server = await startEmbeddedRedis();
    redis = new Redis(server.url);
  }, 20_000);
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it("calls by EVALSHA, and by EVAL again after Redis lost its script cache", async () => {
    const sha = createHash("sha1")
      .update(SCRIPTS.get("lockRenew") ?? "")
      .digest("hex");
    await redis.set("lock", "cycle-1");
    expect(await runScript(redis, "lockRenew", ["lock"], ["cycle-1", "60000"])).toBe(1);
    // ioredis loaded the script on the NOSCRIPT fallback; the next calls are EVALSHA.
    expect(await redis.script("EXISTS", sha)).toEqual([1]);
    await redis.script("FLUSH");
    expect(await redis.script("EXISTS", sha)).toEqual([0]);
    expect(await runScript(redis, "lockRenew", ["lock"], ["cycle-2", "60000"])).toBe(0);
    expect(await runScript(redis, "lockRelease", ["lock"], ["cycle-1"])).toBe(1);
    expect(await redis.get("lock")).toBeNull();
  });

  it("refuses a call whose number of keys differs from the file name", async () => {
    await expect(runScript(redis, "approvalVote", ["only-one"], [])).rejects.toThrow(
      "script approvalVote takes 3 keys, got 1",
    );
  });
});

// `upshift check --save-baseline` before, `upshift verify --baseline` after, as CI runs them:
// child processes of bin/upshift.js against two sandboxes on the same context name.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { BEFORE, CLEAN_UPGRADE, CRASH_LOOP_OLD_ADDON, clusterObjects } from "../fixtures/verify/clusters.ts";
import { runUpshift } from "../tools/upshiftProcess.ts";

const run = (args: string[]) => runUpshift(args);

const dir = mkdtempSync(join(tmpdir(), "upshift-verify-cli-"));
const sandboxes: SandboxServer[] = [];
const kubeconfigs: Record<"before" | "clean" | "crash", string> = { before: "", clean: "", crash: "" };
const baselineFile = join(dir, "baseline.json");

beforeAll(async () => {
  for (const [name, shape] of [
    ["before", BEFORE],
    ["clean", CLEAN_UPGRADE],
    ["crash", CRASH_LOOP_OLD_ADDON],
  ] as const) {
    const s = await startSandbox({ objects: clusterObjects(shape), serverVersion: shape.server });
    sandboxes.push(s);
    kubeconfigs[name] = join(dir, `${name}.kubeconfig`);
    s.writeKubeconfig(kubeconfigs[name], "prod");
  }
  const saved = await run(["check", "--kubeconfig", kubeconfigs.before, "--save-baseline", baselineFile, "-o", "json"]);
  expect(saved.stderr).toBe("");
  expect(JSON.parse(saved.stdout).cluster).toBe("prod");
});
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
});

describe("upshift verify", () => {
  it("check --save-baseline wrote a versioned baseline of the cluster", () => {
    const b = JSON.parse(readFileSync(baselineFile, "utf8"));
    expect(b).toMatchObject({ version: 1, cluster: "prod", serverVersion: "v1.32.4" });
  });

  it("a clean upgrade: healthy, exit 0, text output names what moved", async () => {
    const r = await run(["verify", "--kubeconfig", kubeconfigs.clean, "--baseline", baselineFile]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("Upgrade verify: prod v1.32.4 → v1.33.1: healthy");
    expect(r.stdout).toContain("Kubernetes server: v1.32.4 → v1.33.1");
  });

  it("a degraded upgrade exits 3 at the default --fail-on high, 0 with --fail-on blocker", async () => {
    const json = await run(["verify", "--kubeconfig", kubeconfigs.crash, "--baseline", baselineFile, "-o", "json"]);
    expect(json.code).toBe(3);
    const out = JSON.parse(json.stdout);
    // The shape docs/verify.md documents.
    expect(Object.keys(out)).toEqual([
      "cluster",
      "verdict",
      "baseline",
      "now",
      "notes",
      "changed",
      "worse",
      "left",
      "better",
    ]);
    expect(Object.keys(out.baseline)).toEqual(["takenAt", "serverVersion", "target"]);
    expect(Object.keys(out.now)).toEqual(["takenAt", "serverVersion"]);
    expect(out.verdict).toBe("degraded");
    expect(out.left).toContainEqual(expect.objectContaining({ command: "/upgrade-cycle prod dns" }));
    const blocker = await run([
      "verify",
      "--kubeconfig",
      kubeconfigs.crash,
      "--baseline",
      baselineFile,
      "--fail-on",
      "blocker",
      "-o",
      "markdown",
    ]);
    expect(blocker.code).toBe(0);
    expect(blocker.stdout).toMatch(/^# Upgrade verify: prod v1\.32\.4 → v1\.33\.1: degraded\n/);
  });

  it("usage errors exit 2; a missing or unreadable baseline exits 1 and says which", async () => {
    expect((await run(["verify", "--kubeconfig", kubeconfigs.clean])).code).toBe(2);
    const badOut = await run(["verify", "--baseline", baselineFile, "--output", "sarif"]);
    expect(badOut.code).toBe(2);
    expect(badOut.stderr).toContain("--output: expected one of text, json, markdown");
    const missing = await run(["verify", "--kubeconfig", kubeconfigs.clean, "--baseline", join(dir, "nope.json")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "nope.json: ENOENT; take one before the upgrade with upshift check --save-baseline FILE",
    );
    const other = join(dir, "v9.json");
    writeFileSync(other, JSON.stringify({ version: 9 }));
    const wrong = await run(["verify", "--kubeconfig", kubeconfigs.clean, "--baseline", other]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("baseline format version 9 is not 1");
    const help = await run(["verify", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: upshift verify --baseline FILE/);
  });
});

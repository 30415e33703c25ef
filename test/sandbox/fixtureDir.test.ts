// The README's `upshift sandbox --fixture DIR` on the project's own scenarios directory: the
// upshift.yaml policy kept beside the scenarios is skipped with its reason, the rest is served.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFixture } from "../../src/sandbox/index.ts";

const BIN = new URL("../../bin/upshift.js", import.meta.url).pathname;
const SCENARIOS = new URL("../../src/sandbox/scenarios/", import.meta.url).pathname;

describe("--fixture DIR", () => {
  it("loads src/sandbox/scenarios/, skipping demo-upshift.yaml with a reason", () => {
    const f = loadFixture(SCENARIOS);
    expect(f.skipped).toEqual([
      {
        file: join(SCENARIOS, "demo-upshift.yaml"),
        reason: "document 1 is not a Kubernetes object (no apiVersion and kind)",
      },
    ]);
    expect(f.objects.some((o) => o.kind === "CustomResourceDefinition")).toBe(true);
    expect(f.objects.some((o) => o.metadata?.name === "rancher")).toBe(true);
  });

  it("a broken object in a real fixture still fails, and a file named explicitly is never skipped", () => {
    const dir = mkdtempSync(join(tmpdir(), "upshift-fixtures-"));
    try {
      writeFileSync(join(dir, "a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n");
      expect(() => loadFixture(dir)).toThrow(/ConfigMap needs metadata.name/);
      const policy = join(dir, "upshift.yaml");
      writeFileSync(policy, readFileSync(join(SCENARIOS, "demo-upshift.yaml")));
      expect(() => loadFixture(policy)).toThrow(/object needs string apiVersion and kind/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("upshift sandbox --fixture src/sandbox/scenarios serves it and says what it skipped (plain HTTP: TLS is tested in parts.test.ts)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "upshift-sandbox-dir-"));
    const kubeconfig = join(dir, "kubeconfig");
    const child = spawn(
      process.execPath,
      [BIN, "sandbox", "--fixture", SCENARIOS, "--kubeconfig-out", kubeconfig, "--plain-http"],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (!/listening on (\S+)/.test(stdout) && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 50));
      const url = /listening on (\S+)/.exec(stdout)?.[1];
      expect(url, stderr).toBeDefined();
      expect(stderr).toContain("skipped");
      expect(stderr).toContain("demo-upshift.yaml: document 1 is not a Kubernetes object");
      const res = await fetch(`${url}/apis/apps/v1/namespaces/cattle-system/deployments/rancher`);
      expect(res.status).toBe(200);
      expect(readFileSync(kubeconfig, "utf8")).toContain(url);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The upshift executable as users run it: a child process of bin/upshift.js.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";

const BIN = new URL("../../bin/upshift.js", import.meta.url).pathname;

function run(args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "warn", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`upshift ${args.join(" ")} did not exit in time\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

let sandbox: SandboxServer;
let kubeconfig: string;

beforeAll(async () => {
  sandbox = await startSandbox({ objects: plantedProblems(), serverVersion: "v1.31.4" });
  kubeconfig = join(mkdtempSync(join(tmpdir(), "upshift-cli-")), "config");
  sandbox.writeKubeconfig(kubeconfig, "prod");
});
afterAll(async () => {
  await sandbox.close();
});

describe("upshift check", () => {
  it("prints the documented JSON and exits 3 when there is a blocker", async () => {
    const r = await run(["check", "--kubeconfig", kubeconfig, "--target", "v1.32.0", "--output", "json"]);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(["cluster", "serverVersion", "target", "verdict", "findings"]);
    expect(report).toMatchObject({ cluster: "prod", serverVersion: "v1.31.4", target: "1.32", verdict: "blocked" });
    const helm = report.findings.find((f: { check: string }) => f.check === "HELM-01");
    expect(helm).toMatchObject({
      severity: "blocker",
      object: {
        apiVersion: "v1",
        kind: "Secret",
        namespace: "cattle-fleet-system",
        name: "sh.helm.release.v1.fleet.v3",
      },
    });
    expect(Object.keys(helm)).toEqual(["check", "severity", "object", "message", "evidence", "remediation"]);
  });

  it("exits 0 when nothing reaches --fail-on, and renders markdown, SARIF and JUnit", async () => {
    const cluster = await startSandbox({ objects: [], serverVersion: "v1.31.4" });
    const path = join(mkdtempSync(join(tmpdir(), "upshift-cli-")), "config");
    cluster.writeKubeconfig(path, "empty");
    try {
      const md = await run(["check", "--kubeconfig", path, "--output", "markdown"]);
      expect(md.code).toBe(0);
      expect(md.stdout).toContain("# Upgrade check: empty v1.31.4 → 1.32");
      const blocked = await run(["check", "--kubeconfig", kubeconfig, "--output", "sarif", "--fail-on", "high"]);
      expect(blocked.code).toBe(3);
      const sarif = JSON.parse(blocked.stdout);
      expect(sarif.version).toBe("2.1.0");
      expect(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toContain("HELM-01");
      const junit = await run(["check", "--kubeconfig", kubeconfig, "--output", "junit"]);
      expect(junit.stdout).toMatch(/<testsuite name="upgrade prod to 1.32" tests="\d+" failures="\d+">/);
    } finally {
      await cluster.close();
    }
  });

  it("exits 1 with the reason on stderr when the cluster cannot be read", async () => {
    const down = await startSandbox({ objects: [] });
    const path = join(mkdtempSync(join(tmpdir(), "upshift-cli-")), "config");
    down.writeKubeconfig(path, "down");
    await down.close();
    const r = await run(["check", "--kubeconfig", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^upshift: cluster down: read \/version failed/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses bad flags with exit 2 and no stack trace", async () => {
    const r = await run(["check", "--kubeconfig", kubeconfig, "--output", "yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('upshift: --output: expected one of text, json, markdown, sarif, junit, got "yaml"\n');
    const unknown = await run(["check", "--kubeconfig", kubeconfig, "--context", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--context: unknown context "nope"; valid: prod');
  });
});

describe("an old Node", () => {
  it("says which Node is needed and how to get it, instead of crashing inside a dependency", async () => {
    // Node 20 as the process sees it: bin/upshift.js must stop before loading any dependency.
    const pretend =
      'Object.defineProperty(process, "versions", { value: { ...process.versions, node: "20.11.1" } }); Object.defineProperty(process, "version", { value: "v20.11.1" });';
    const child = spawn(
      process.execPath,
      ["--import", `data:text/javascript,${encodeURIComponent(pretend)}`, BIN, "demo"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(
      "upshift needs Node.js >= 22.19 (Node 24 LTS recommended); this is v20.11.1.\n" +
        "Install it with: npm install -g node@24 (or nvm install 24 && nvm use, which reads .nvmrc).\n",
    );
  });
});

describe("bad configuration", () => {
  it("prints every problem with its variable and exits 2 without a stack trace", async () => {
    const r = await run(["worker"], {
      env: { REDIS_URL: "localhost", SLACK_BOT_TOKEN: "xoxb-secret-value", PORT: "eighty" },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("REDIS_URL: expected redis://host:port");
    expect(r.stderr).toContain("PORT:");
    expect(r.stderr).toContain("SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN");
    expect(r.stderr).not.toContain("xoxb-secret-value");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

function portClosed(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.on("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.on("error", () => resolve(true));
  });
}

/** A demo session driven line by line, reading the output as a user would. */
function interactive(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "warn" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return {
    send: (line: string) => child.stdin.write(`${line}\n`),
    end: () => child.stdin.end(),
    output: () => stdout,
    async waitFor(re: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(stdout);
        if (m) return m;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${re} in:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    exited,
    interrupt: () => child.kill("SIGINT"),
    kill: () => child.kill("SIGKILL"),
  };
}

describe("npm run demo", () => {
  it("plans an add-on cycle, refuses self-approval, runs it once approved, and stops everything on Ctrl-C", async () => {
    const demo = interactive(["demo"]);
    try {
      await demo.waitFor(/Console chat #upgrades/);
      demo.send("/upgrade-cycle demo ingress");
      const plan = await demo.waitFor(
        /↳ \[(\d+)\] in thread \[\d+\]\n(?:\s+│.*\n)*?\s+│ React ✅ to approve, ❌ to cancel\. Needs 1 of: @alice\./,
      );
      expect(demo.output()).toContain("1. ingress (ingress, manifests) v1.8.0 → v1.12.1");
      const id = plan[1];
      demo.send(`/react ${id} ✅`);
      await demo.waitFor(new RegExp(`reaction ✅ by @you on \\[${id}\\]: not-approver`));
      demo.send(`/react ${id} ✅ as alice`);
      await demo.waitFor(/🏁 Cycle on demo finished: 1 of 1 step\(s\) done\./);
      expect(demo.output()).toContain("✅ Step 1/1: ingress done (v1.8.0 → v1.12.1).");
      expect(demo.output()).toContain("checks POD-01, PRB-01, REF-01: 0 problem(s)");
      // The cycle's own watch of the cluster opened and closed with it.
      await demo.waitFor(/Watch of `demo` ended \(stopped\)/);
      // Ctrl-C stops everything; the private redis-server goes with it.
      const redisPort = Number(/Private redis-server on redis:\/\/[\d.]+:(\d+)/.exec(demo.output())![1]);
      demo.interrupt();
      expect(await demo.exited).toBe(0);
      expect(await portClosed(redisPort)).toBe(true);
    } finally {
      demo.kill();
    }
  });

  it("runs a check from the console chat and leaves no process behind", async () => {
    const r = await run(["demo"], { input: "/upgrade-check\n/upgrade-check nope\n", timeoutMs: 90_000 });
    expect(r.code).toBe(0);
    const redisUrl = /Private redis-server on (redis:\/\/[\d.]+:\d+)/.exec(r.stdout)?.[1];
    expect(redisUrl).toBeDefined();
    // A dev install ships Helm: the scenario's releases are Helm's own, none hand-built.
    expect(r.stdout).toMatch(/Helm releases: [1-9]\d* made by real Helm 3\.17\.\n/);
    expect(r.stdout).toContain("(only visible to you) Queued upgrade check of demo.");
    expect(r.stdout).toContain('(only visible to you) unknown cluster context "nope". Valid contexts: `demo`.');
    // One incident per check family, from the demo scenario.
    for (const id of ["HELM-01", "PRB-01", "CRD-01", "CFG-01", "ADD-01", "REF-01", "VER-01"])
      expect(r.stdout).toContain(id);
    expect(r.stdout).toMatch(
      /\[1\] \(edited\) upshift: Upgrade check: demo v1\.31\.4 → 1\.32, requested by @you: blocked/,
    );
    // The private redis-server is gone.
    expect(await portClosed(Number(new URL(redisUrl!).port))).toBe(true);
  });
});

// The upshift executable as users run it: a child process of bin/upshift.js.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";
import { UPSHIFT_BIN as BIN, runUpshift } from "../tools/upshiftProcess.ts";

const HEALTHY = new URL("../../src/sandbox/scenarios/healthy.yaml", import.meta.url).pathname;
const CURRENT_UPGRADE = new URL("../../src/sandbox/scenarios/current-upgrade.yaml", import.meta.url).pathname;

const run = runUpshift;

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
  it("a v1.34 cluster on cgroup v1 nodes with a VAP v1beta1 release and ingress-nginx v1.13 is blocked for 1.35 (exit 3)", async () => {
    const cluster = await startSandbox({ fixture: CURRENT_UPGRADE });
    try {
      const path = join(mkdtempSync(join(tmpdir(), "upshift-cli-next-")), "config");
      cluster.writeKubeconfig(path, "next");
      const r = await run(["check", "--kubeconfig", path, "--target", "1.35", "--output", "json"]);
      expect(r.code).toBe(3);
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({ cluster: "next", serverVersion: "v1.34.2", target: "1.35", verdict: "blocked" });
      const ids = new Set(report.findings.map((f: { check: string }) => f.check));
      for (const id of ["NODE-02", "API-01", "CP-01", "ADD-01", "ADD-02"]) expect(ids).toContain(id);
      // Read from the kubelets' own metrics through the node proxy, which this sandbox allows.
      const cgroup = report.findings.find((f: { check: string }) => f.check === "NODE-02");
      expect(cgroup.evidence).toContain("kubelet_cgroup_version=1");
    } finally {
      await cluster.close();
    }
  });

  it("prints the documented JSON and exits 3 when there is a blocker", async () => {
    const r = await run(["check", "--kubeconfig", kubeconfig, "--target", "v1.32.0", "--output", "json"]);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual([
      "cluster",
      "serverVersion",
      "target",
      "knowledgeHorizon",
      "warnings",
      "verdict",
      "findings",
      "ignored",
    ]);
    expect(report).toMatchObject({
      cluster: "prod",
      serverVersion: "v1.31.4",
      target: "1.32",
      knowledgeHorizon: "1.38",
      warnings: [],
      verdict: "blocked",
    });
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
      expect(junit.stdout).toMatch(
        /<testsuite name="upgrade prod v1\.31\.4 to 1\.32" tests="\d+" failures="[1-9]\d*" errors="0" skipped="0" time="[\d.]+"/,
      );
      // One testcase per check, passing ones included.
      const cases = junit.stdout.match(/<testcase /g) ?? [];
      expect(cases.length).toBe(Number(/<testsuites name="upshift" tests="(\d+)"/.exec(junit.stdout)![1]));
      expect(cases.length).toBeGreaterThan(20);
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

  it("refuses a target that is no Kubernetes release with exit 2, before reading the cluster", async () => {
    sandbox.clearRequests();
    for (const [target, message] of [
      ["1.32-<!here><https://evil.example|x>", "--target: expected MAJOR.MINOR or MAJOR.MINOR.PATCH"],
      ["1.32.0-rc.1", "with nothing after it"],
      ["2.0", "--target: Kubernetes has no major version 2"],
      ["1.99", "--target: 1.99 is not a Kubernetes release: Upshift knows releases up to 1.38"],
    ]) {
      const r = await run(["check", "--kubeconfig", kubeconfig, "--target", target]);
      expect(r.code, target).toBe(2);
      expect(r.stderr, target).toContain(message);
      expect(r.stderr, target).not.toContain("<!here>");
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(sandbox.requests).toEqual([]);
  });

  it("states the horizon in every format and warns about a target beyond it", async () => {
    const beyond = "Upshift knows releases up to 1.38; 1.39 is beyond: results may miss its changes.";
    const json = JSON.parse(
      (await run(["check", "--kubeconfig", kubeconfig, "--target", "1.39", "-o", "json"])).stdout,
    );
    expect(json).toMatchObject({ target: "1.39", knowledgeHorizon: "1.38", warnings: [beyond] });
    const text = (await run(["check", "--kubeconfig", kubeconfig, "--target", "1.39"])).stdout;
    expect(text).toContain(`Warning: ${beyond}`);
    expect(text).toContain("Upshift's knowledge covers Kubernetes releases up to 1.38.");
    const md = (await run(["check", "--kubeconfig", kubeconfig, "--target", "1.39", "-o", "markdown"])).stdout;
    expect(md).toContain(`> ⚠️ ${beyond}`);
    const sarif = JSON.parse(
      (await run(["check", "--kubeconfig", kubeconfig, "--target", "1.39", "-o", "sarif"])).stdout,
    );
    expect(sarif.runs[0].properties).toMatchObject({ knowledgeHorizon: "1.38", warnings: [beyond] });
    const junit = (await run(["check", "--kubeconfig", kubeconfig, "--target", "1.39", "-o", "junit"])).stdout;
    expect(junit).toContain(`<property name="warning" value="${beyond}"/>`);
    // Within the horizon: stated, not warned.
    const within = (await run(["check", "--kubeconfig", kubeconfig, "--target", "1.38"])).stdout;
    expect(within).toContain("up to 1.38.");
    expect(within).not.toContain("Warning:");
  });
});

// Each case starts several upshift processes; on a loaded 2-core machine that takes tens of seconds.
describe("exit codes and --help", { timeout: 120_000 }, () => {
  it("every command's --help prints its usage on stdout and exits 0", async () => {
    for (const args of [
      ["--help"],
      ["check", "--help"],
      ["check", "-h"],
      ["sandbox", "--help"],
      ["demo", "--help"],
      ["all", "--help"],
      ["bot", "--help"],
      ["worker", "--help"],
      ["discord", "--help"],
      ["discord", "register", "--help"],
    ]) {
      const r = await run(args);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: "" });
      expect(r.stdout).toMatch(/^usage: upshift/);
    }
    const check = await run(["check", "--help"]);
    expect(check.stdout).toContain("--fail-on SEVERITY");
    expect(check.stdout).toContain("Exit codes: 0");
  });

  it("--fail-on none reports the findings and exits 0", async () => {
    const r = await run(["check", "--kubeconfig", kubeconfig, "--fail-on", "none", "--output", "text"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("HELM-01");
    expect(r.stdout).toMatch(/blocked/);
  });

  it("usage errors exit 2 everywhere, with the flag named", async () => {
    const banana = await run(["check", "--kubeconfig", kubeconfig, "--target", "banana"]);
    expect(banana).toMatchObject({ code: 2, stdout: "" });
    expect(banana.stderr).toContain("--target: expected MAJOR.MINOR");
    const docs = await run(["check", "--kubeconfig", kubeconfig, "--docs-url", "docs/checks.md"]);
    expect(docs.code).toBe(2);
    expect(docs.stderr).toContain("--docs-url: expected an absolute http(s) URL");
    const demo = await run(["demo", "--scenario", "x"]);
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain('demo: unexpected argument "--scenario"');
    const worker = await run(["worker", "--concurrency", "4"]);
    expect(worker.code).toBe(2);
    const noFixture = await run(["sandbox"]);
    expect(noFixture.code).toBe(2);
    expect(noFixture.stderr).toContain("--fixture: required");
    const badPort = await run(["sandbox", "--fixture", HEALTHY, "--port", "99999"]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port: expected a port number 0-65535, got "99999"');
    const missing = await run(["sandbox", "--fixture", "/nonexistent/fixture.yaml"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file or directory");
    const unknown = await run(["frobnicate"]);
    expect(unknown.code).toBe(2);
  });

  it("the sandbox exits 1 when it cannot serve (port taken), not 0", async () => {
    const taken = await startSandbox({ objects: [] });
    try {
      const r = await run(["sandbox", "--fixture", HEALTHY, "--port", String(taken.port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/EADDRINUSE|in use/);
    } finally {
      await taken.close();
    }
  });
});

describe("an old Node", () => {
  // Node 20 as the process sees it: the scripts must stop before loading any dependency.
  const pretend =
    'Object.defineProperty(process, "versions", { value: { ...process.versions, node: "20.11.1" } }); Object.defineProperty(process, "version", { value: "v20.11.1" });';
  const onNode20 = async (script: string, args: string[] = []) => {
    const child = spawn(
      process.execPath,
      ["--import", `data:text/javascript,${encodeURIComponent(pretend)}`, script, ...args],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    return { code, stdout, stderr };
  };
  const MESSAGE =
    "upshift needs Node.js >= 22.19 (Node 24 LTS recommended); this is v20.11.1.\n" +
    "Install it beside the system's Node: nvm install 24 && nvm use (reads .nvmrc),\n" +
    "or in your home: npm install --prefix ~/.local -g node@24 and put ~/.local/bin first on PATH.\n";

  it("upshift says which Node is needed and how to get it, instead of crashing inside a dependency", async () => {
    expect(await onNode20(BIN, ["demo"])).toEqual({ code: 1, stdout: "", stderr: MESSAGE });
  });

  it("npm test's pretest (bin/ensure-install.js) says it before anything else", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(pkg.scripts.pretest).toBe("node bin/ensure-install.js");
    expect(pkg.scripts.predemo).toBe("node bin/ensure-install.js");
    const script = new URL("../../bin/ensure-install.js", import.meta.url).pathname;
    expect(await onNode20(script)).toEqual({ code: 1, stdout: "", stderr: MESSAGE });
  });

  it("the README's Node step never overwrites a system Node: nvm or a user-level prefix", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const prerequisites = readme.slice(readme.indexOf("Prerequisites"), readme.indexOf("In the demo"));
    expect(prerequisites).toContain("nvm install 24");
    expect(prerequisites).toContain("--prefix ~/.local");
    expect(prerequisites).not.toMatch(/npm install -g(?! --prefix)[^`]*node@/);
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
      expect(demo.output()).toContain("checks POD-01, PRB-01, REF-01: 0 problems");
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
    const r = await run(["demo"], {
      input: "/upgrade-check\n/upgrade-check nope\n/upgrade-check next 1.35\n",
      timeoutMs: 90_000,
    });
    expect(r.code).toBe(0);
    const redisUrl = /Private redis-server on (redis:\/\/[\d.]+:\d+)/.exec(r.stdout)?.[1];
    expect(redisUrl).toBeDefined();
    // A dev install ships Helm: the scenario's releases are Helm's own, none hand-built.
    expect(r.stdout).toMatch(/Helm releases: [1-9]\d* made by real Helm 3\.17\.\n/);
    expect(r.stdout).toContain("(only visible to you) Queued upgrade check of demo.");
    // Names, not platform markup: "#upgrades", "@you", never "<#upgrades>" or "<@you>".
    expect(r.stdout).toContain("#upgrades");
    expect(r.stdout).not.toMatch(/<[@#!][^>\s]*>/);
    expect(r.stdout).toContain('(only visible to you) unknown cluster context "nope". Valid contexts: `demo`, `next`.');
    // One incident per check family, from the demo scenario.
    for (const id of ["HELM-01", "PRB-01", "CRD-01", "CFG-01", "ADD-01", "REF-01", "VER-01"])
      expect(r.stdout).toContain(id);
    expect(r.stdout).toMatch(
      /\[1\] \(edited\) upshift: Upgrade check: demo v1\.31\.4 → 1\.32, requested by @you: blocked/,
    );
    // The second cluster: an upgrade people run today, which 1.35 would break.
    expect(r.stdout).toMatch(/Upgrade check: next v1\.34\.2 → 1\.35, requested by @you: blocked/);
    for (const id of ["NODE-02", "CP-01", "PROXY-01", "ADD-02"]) expect(r.stdout).toContain(id);
    // The private redis-server is gone.
    expect(await portClosed(Number(new URL(redisUrl!).port))).toBe(true);
  });
});

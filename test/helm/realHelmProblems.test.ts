// Problem states made by real Helm itself (no hand-built release Secrets): pending-install and
// pending-upgrade (Helm SIGKILLed mid --wait), failed (a manifest the sandbox refuses), a chart
// whose kubeVersion excludes the target, a `+up…-rc` pre-release chart, many revisions, and a
// removed API (installed while the v1.24 sandbox still serves it). `upshift check`, run as users
// run it, reports each with what `helm list -a` shows, says nothing of the healthy releases, writes
// nothing, and Helm still works on every release afterwards. The cluster is a v1.24 one checked for
// 1.25, the minor that removed PodSecurityPolicy: a removed API Helm can still install today.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/resources.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import {
  chartVariant,
  type HelmHome,
  helm,
  helmHome,
  helmList,
  helmOk,
  removeHelmHome,
  startHelm,
  TINY_CHART,
  valuesFile,
} from "../tools/helm.ts";

const BIN = new URL("../../bin/upshift.js", import.meta.url).pathname;

let sandbox: SandboxServer;
let home: HelmHome;

// policy/v1beta1 PodSecurityPolicy is served by v1.24 and removed in v1.25 (Deprecated API Migration
// Guide, v1.25 section; k8s.io/api policy/v1beta1 prerelease-lifecycle: removed 1.25). A seeded PSP
// makes the sandbox serve the version, as a v1.24 cluster does, so Helm's discovery and validation
// let the chart install one.
const psp = (name: string): KubeObject => ({
  apiVersion: "policy/v1beta1",
  kind: "PodSecurityPolicy",
  metadata: { name },
  spec: {
    privileged: false,
    seLinux: { rule: "RunAsAny" },
    runAsUser: { rule: "MustRunAsNonRoot" },
    supplementalGroups: { rule: "RunAsAny" },
    fsGroup: { rule: "RunAsAny" },
    volumes: ["configMap", "secret"],
  },
});

function upshiftCheck(kubeconfig: string, target: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, "check", "--kubeconfig", kubeconfig, "--target", target, "--output", "json", "--fail-on", "blocker"],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`upshift check did not exit in time\n${stderr}`));
    }, 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Waits until the newest release Secret of `name` carries `status`, then SIGKILLs the helm process. */
async function killHelmWhen(args: string[], namespace: string, name: string, status: string): Promise<void> {
  const child = startHelm(home, args);
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      const newest = sandbox.store
        .list("v1", "Secret", namespace)
        .filter((s) => s.metadata?.labels?.owner === "helm" && s.metadata.labels.name === name)
        .sort((a, b) => Number(b.metadata?.labels?.version) - Number(a.metadata?.labels?.version))[0];
      // Wait for the Deployment too: Helm is then inside --wait, past every write it would make.
      const waiting = sandbox.store.get("apps/v1", "Deployment", namespace, `${name}-app`) !== undefined;
      if (newest?.metadata?.labels?.status === status && waiting) break;
      if (child.exitCode !== null) throw new Error(`helm exited before reaching ${status}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`helm never reached ${status}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}

const neverReady = ["--set", "deployment.enabled=true", "--set", "deployment.rollout=never"];

beforeAll(async () => {
  sandbox = await startSandbox({ serverVersion: "v1.24.17", objects: [psp("seeded-restricted")] });
  home = helmHome(sandbox);
  const install = (name: string, ns: string, chart: string, ...extra: string[]) =>
    helmOk(home, ["install", name, chart, "-n", ns, "--create-namespace", ...extra]);

  // Healthy: installed and upgraded, nothing to say.
  await install("calm", "healthy", TINY_CHART);
  await helmOk(home, ["upgrade", "calm", TINY_CHART, "-n", "healthy", "--set", "greeting=still fine"]);

  // pending-install: Helm killed while waiting for a Deployment that never becomes ready.
  await killHelmWhen(
    ["install", "halfway", TINY_CHART, "-n", "pi", "--create-namespace", "--wait", "--timeout", "5m", ...neverReady],
    "pi",
    "halfway",
    "pending-install",
  );

  // pending-upgrade: the same, during an upgrade of a deployed release.
  await install("stuck", "pu", TINY_CHART);
  await killHelmWhen(
    ["upgrade", "stuck", TINY_CHART, "-n", "pu", "--wait", "--timeout", "5m", ...neverReady],
    "pu",
    "stuck",
    "pending-upgrade",
  );

  // failed: the upgrade's Service asks for a node port outside 30000-32767, which the API server refuses.
  await install("broken", "failing", TINY_CHART);
  const bad = await helm(home, [
    "upgrade",
    "broken",
    TINY_CHART,
    "-n",
    "failing",
    "--set",
    "service.type=NodePort",
    "--set",
    "service.nodePort=20000",
  ]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain("provided port is not in the valid range");

  // kubeVersion excludes the target (Helm checks it against the v1.24 server, so it installs).
  await install("legacy", "kv", chartVariant(home, { name: "legacy", kubeVersion: ">= 1.20.0-0 < 1.25.0-0" }));

  // A pre-release hidden in build metadata (INCIDENTS case 3).
  await install(
    "fleet",
    "cattle-fleet-system",
    chartVariant(home, { name: "fleet", version: "106.0.0+up0.12.0-rc.3" }),
  );

  // Many revisions: Helm's --history-max 0 keeps them all.
  await install("churn", "hist", TINY_CHART);
  for (let i = 2; i <= 22; i++) {
    await helmOk(home, ["upgrade", "churn", TINY_CHART, "-n", "hist", "--history-max", "0", "--set", `greeting=v${i}`]);
  }

  // A removed API in the deployed manifest.
  await install("flows", "apis", TINY_CHART, "-f", valuesFile(home, { extraManifests: [psp("flows-restricted")] }));
}, 240_000);

afterAll(async () => {
  await sandbox.close();
  removeHelmHome(home);
});

interface Finding {
  check: string;
  severity: string;
  object: { apiVersion: string; kind: string; namespace?: string; name: string };
  message: string;
  evidence: string;
}

describe("problem states made by real Helm, checked by upshift check", () => {
  let findings: Finding[] = [];
  let listed: Awaited<ReturnType<typeof helmList>> = [];
  const release = (name: string) => {
    const r = listed.find((x) => x.name === name);
    if (!r) throw new Error(`helm list -a has no release ${name}`);
    return r;
  };
  const about = (name: string, namespace: string) =>
    findings.filter(
      (f) =>
        f.object.namespace === namespace &&
        (f.message.includes(`${namespace}/${name} `) || f.object.name.startsWith(`sh.helm.release.v1.${name}.`)),
    );

  beforeAll(async () => {
    listed = await helmList(home);
    sandbox.clearRequests();
    const r = await upshiftCheck(home.kubeconfig, "1.25");
    expect(r.code, r.stderr).toBe(3); // blockers found
    findings = JSON.parse(r.stdout).findings;
  }, 90_000);

  it("shows in helm list -a the states Helm made", () => {
    expect(release("calm")).toMatchObject({ revision: "2", status: "deployed" });
    expect(release("halfway")).toMatchObject({ revision: "1", status: "pending-install" });
    expect(release("stuck")).toMatchObject({ revision: "2", status: "pending-upgrade" });
    expect(release("broken")).toMatchObject({ revision: "2", status: "failed" });
    expect(release("churn")).toMatchObject({ revision: "22", status: "deployed" });
    expect(release("fleet")).toMatchObject({ chart: "fleet-106.0.0+up0.12.0-rc.3", status: "deployed" });
  });

  it("reports pending-install and pending-upgrade (HELM-01) with the revision, chart and status helm shows", () => {
    for (const name of ["halfway", "stuck"]) {
      const r = release(name);
      const f = about(name, r.namespace).find((x) => x.check === "HELM-01");
      expect(f, name).toBeDefined();
      expect(f?.object.name).toBe(`sh.helm.release.v1.${name}.v${r.revision}`);
      expect(f?.message).toContain(`stuck in ${r.status} at revision ${r.revision} (chart ${r.chart})`);
    }
  });

  it("reports the failed release (HELM-02) with the revision and chart helm shows", () => {
    const r = release("broken");
    const f = about("broken", "failing").find((x) => x.check === "HELM-02");
    expect(f?.object.name).toBe(`sh.helm.release.v1.broken.v${r.revision}`);
    expect(f?.message).toContain(`failed at revision ${r.revision} (chart ${r.chart})`);
  });

  it("reports the chart whose kubeVersion excludes the target (API-04) by the chart helm shows", () => {
    const r = release("legacy");
    const f = about("legacy", "kv").find((x) => x.check === "API-04");
    expect(f?.message).toContain(`chart ${r.chart}`);
    expect(f?.message).toContain(">= 1.20.0-0 < 1.25.0-0");
  });

  it("reports the +up…-rc pre-release chart (VER-01) with its revision, chart and status", () => {
    const r = release("fleet");
    const f = about("fleet", "cattle-fleet-system").find((x) => x.check === "VER-01");
    expect(f?.message).toContain(`revision ${r.revision} (${r.status}) uses pre-release chart ${r.chart}`);
  });

  it("reports many revisions (HELM-04) up to the revision helm shows", () => {
    const r = release("churn");
    const f = about("churn", "hist").find((x) => x.check === "HELM-04");
    expect(f?.message).toContain("keeps 22 revisions");
    expect(f?.evidence).toContain(`revisions 1..${r.revision}`);
  });

  it("reports the removed API in the deployed manifest (API-01) with revision and chart", () => {
    const r = release("flows");
    const f = about("flows", "apis").find((x) => x.check === "API-01");
    expect(f?.object).toMatchObject({
      apiVersion: "policy/v1beta1",
      kind: "PodSecurityPolicy",
      name: "flows-restricted",
    });
    expect(f?.message).toContain(`(revision ${r.revision}, chart ${r.chart})`);
  });

  it("says nothing about the healthy release and writes nothing to the cluster", () => {
    expect(findings.filter((f) => f.object.namespace === "healthy")).toEqual([]);
    const helmChecks = new Set(["HELM-01", "HELM-02", "HELM-03", "HELM-04", "VER-01", "API-01", "API-04"]);
    for (const f of findings.filter((x) => helmChecks.has(x.check))) {
      expect(["pi", "pu", "failing", "kv", "cattle-fleet-system", "hist", "apis"], `${f.check} ${f.message}`).toContain(
        f.object.namespace,
      );
    }
    const writes = sandbox.requests.filter((r) => !["get", "list", "watch"].includes(r.verb));
    expect(writes).toEqual([]);
  });

  it("leaves every release workable by Helm afterwards", async () => {
    await helmOk(home, ["rollback", "stuck", "1", "-n", "pu"]);
    await helmOk(home, ["uninstall", "halfway", "-n", "pi"]);
    await helmOk(home, ["upgrade", "broken", TINY_CHART, "-n", "failing"]);
    await helmOk(home, [
      "upgrade",
      "fleet",
      chartVariant(home, { name: "fleet", version: "106.0.0+up0.12.0" }),
      "-n",
      "cattle-fleet-system",
    ]);
    await helmOk(home, ["upgrade", "churn", TINY_CHART, "-n", "hist", "--history-max", "5"]);
    await helmOk(home, ["upgrade", "flows", TINY_CHART, "-n", "apis"]);
    await helmOk(home, ["rollback", "calm", "1", "-n", "healthy"]);
    const after = await helmList(home);
    const status = (name: string) => after.find((x) => x.name === name)?.status;
    for (const name of ["stuck", "broken", "fleet", "churn", "flows", "calm", "legacy"])
      expect(status(name), name).toBe("deployed");
    expect(status("halfway")).toBeUndefined();
  }, 120_000);
});

// Real Helm 3.17 against the sandbox: every verb users run, with release storage in Secrets sent
// as protobuf (as Helm's client-go sends them) and read back by Helm itself.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify as stringifyYaml } from "yaml";
import { releaseFromSecret } from "../../src/helm/release.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import {
  chartVariant,
  type HelmHome,
  helm,
  helmHome,
  helmList,
  helmOk,
  removeHelmHome,
  TINY_CHART,
  valuesFile,
} from "../tools/helm.ts";

const BIN = new URL("../../bin/upshift.js", import.meta.url).pathname;
const HEALTHY = new URL("../../src/sandbox/scenarios/healthy.yaml", import.meta.url).pathname;

let sandbox: SandboxServer;
let home: HelmHome;

beforeAll(async () => {
  sandbox = await startSandbox({ rolloutDelayMs: 50 });
  home = helmHome(sandbox);
});
afterAll(async () => {
  await sandbox.close();
  removeHelmHome(home);
});

const releaseSecrets = (name: string, namespace = "default") =>
  sandbox.store
    .list("v1", "Secret", namespace)
    .filter((s) => s.type === "helm.sh/release.v1" && s.metadata?.labels?.name === name);

describe("real Helm against the sandbox", () => {
  it("install, upgrade, rollback, history, list -a, status, get manifest/values, uninstall", async () => {
    sandbox.clearRequests();
    const install = await helmOk(home, ["install", "web", TINY_CHART, "-n", "default", "--set", "greeting=hi"]);
    expect(install).toContain("STATUS: deployed");
    // Helm's release storage spoke protobuf, and the sandbox stored what it meant.
    const writes = sandbox.requests.filter(
      (r) => r.resource === "secrets" && (r.verb === "create" || r.verb === "update"),
    );
    expect(writes.some((r) => r.contentType === "application/vnd.kubernetes.protobuf")).toBe(true);
    const [rev1] = releaseSecrets("web");
    expect(rev1.metadata?.labels).toMatchObject({ owner: "helm", name: "web", status: "deployed", version: "1" });
    expect(releaseFromSecret(rev1)).toMatchObject({ name: "web", revision: 1, status: "deployed" });
    expect(sandbox.store.get("v1", "ConfigMap", "default", "web-config")?.data).toEqual({ greeting: "hi" });

    await helmOk(home, ["upgrade", "web", TINY_CHART, "-n", "default", "--set", "greeting=hello again"]);
    expect(sandbox.store.get("v1", "ConfigMap", "default", "web-config")?.data).toEqual({ greeting: "hello again" });
    expect(JSON.parse(await helmOk(home, ["get", "values", "web", "-n", "default", "-o", "json"]))).toEqual({
      greeting: "hello again",
    });
    const manifest = await helmOk(home, ["get", "manifest", "web", "-n", "default"]);
    expect(manifest).toContain("name: web-config");
    expect(manifest).toContain('greeting: "hello again"');

    await helmOk(home, ["rollback", "web", "1", "-n", "default"]);
    expect(sandbox.store.get("v1", "ConfigMap", "default", "web-config")?.data).toEqual({ greeting: "hi" });
    const history = JSON.parse(await helmOk(home, ["history", "web", "-n", "default", "-o", "json"])) as Array<{
      revision: number;
      status: string;
      description: string;
    }>;
    expect(history.map((h) => [h.revision, h.status])).toEqual([
      [1, "superseded"],
      [2, "superseded"],
      [3, "deployed"],
    ]);
    expect(history[2].description).toBe("Rollback to 1");
    const status = JSON.parse(await helmOk(home, ["status", "web", "-n", "default", "-o", "json"]));
    expect(status).toMatchObject({ name: "web", version: 3, info: { status: "deployed" } });
    expect((await helmList(home)).find((r) => r.name === "web")).toMatchObject({
      revision: "3",
      status: "deployed",
      chart: "tiny-1.0.0",
    });
    // The labels Helm wrote through protobuf updates are the ones Upshift's checks read.
    expect(releaseSecrets("web").map((s) => s.metadata?.labels?.status)).toEqual([
      "superseded",
      "superseded",
      "deployed",
    ]);

    sandbox.clearRequests();
    await helmOk(home, ["uninstall", "web", "-n", "default"]);
    expect(releaseSecrets("web")).toEqual([]);
    // The release Secrets went with protobuf DeleteOptions bodies, decoded like any other.
    const deletes = sandbox.requests.filter(
      (r) => r.resource === "secrets" && r.verb === "delete" && r.name?.startsWith("sh.helm.release.v1.web."),
    );
    expect(deletes.length).toBe(3);
    expect(deletes.every((r) => r.contentType === "application/vnd.kubernetes.protobuf")).toBe(true);
    expect(sandbox.store.get("v1", "ConfigMap", "default", "web-config")).toBeUndefined();
    expect((await helmList(home)).find((r) => r.name === "web")).toBeUndefined();
  });

  it("uninstall --keep-history really marks the release uninstalled", async () => {
    await helmOk(home, ["install", "kept", TINY_CHART, "-n", "default"]);
    const out = await helmOk(home, ["uninstall", "kept", "-n", "default", "--keep-history"]);
    expect(out).toContain('release "kept" uninstalled');
    expect(releaseSecrets("kept").map((s) => s.metadata?.labels?.status)).toEqual(["uninstalled"]);
    expect((await helmList(home)).find((r) => r.name === "kept")).toMatchObject({ status: "uninstalled" });
    expect(sandbox.store.get("v1", "Secret", "default", "kept-secret")).toBeUndefined();
    // History kept, so the name can come back with a rollback.
    await helmOk(home, ["rollback", "kept", "1", "-n", "default"]);
    expect((await helmList(home)).find((r) => r.name === "kept")).toMatchObject({ revision: "2", status: "deployed" });
  });

  it("install --wait succeeds once Services have cluster IPs (ConfigMaps and Secrets are ready at once)", async () => {
    const out = await helmOk(home, ["install", "waited", TINY_CHART, "-n", "default", "--wait", "--timeout", "30s"]);
    expect(out).toContain("STATUS: deployed");
    const svc = sandbox.store.get("v1", "Service", "default", "waited-svc");
    expect(svc?.spec?.clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\./);
    await helmOk(home, [
      "upgrade",
      "waited",
      TINY_CHART,
      "-n",
      "default",
      "--wait",
      "--timeout",
      "30s",
      "--set",
      "service.type=NodePort",
    ]);
    const np = sandbox.store.get("v1", "Service", "default", "waited-svc")?.spec?.ports?.[0]?.nodePort;
    expect(np).toBeGreaterThanOrEqual(30000);
    expect(sandbox.store.get("v1", "Service", "default", "waited-svc")?.spec?.clusterIP).toBe(svc?.spec?.clusterIP);
  });

  it("install and upgrade --wait finish once the sandbox's rollout simulation reports a StatefulSet ready", async () => {
    const sts = ["--set", "statefulset.enabled=true", "--wait", "--timeout", "30s"];
    expect(await helmOk(home, ["install", "db", TINY_CHART, "-n", "default", ...sts])).toContain("STATUS: deployed");
    const ready = sandbox.store.get("apps/v1", "StatefulSet", "default", "db-db");
    expect(ready?.status).toMatchObject({ observedGeneration: 1, readyReplicas: 2, updatedReplicas: 2 });
    await helmOk(home, ["upgrade", "db", TINY_CHART, "-n", "default", ...sts, "--set", "greeting=v2"]);
    const upgraded = sandbox.store.get("apps/v1", "StatefulSet", "default", "db-db");
    expect(upgraded?.metadata?.generation).toBe(2);
    expect(upgraded?.status?.observedGeneration).toBe(2);
    expect((await helmList(home)).find((r) => r.name === "db")).toMatchObject({ revision: "2", status: "deployed" });
  });

  it("installs a chart's crds/ (Helm waits for them to be Established) and then a custom resource of them", async () => {
    const chart = chartVariant(home, { name: "widgets" });
    mkdirSync(join(chart, "crds"));
    writeFileSync(
      join(chart, "crds", "widgets.yaml"),
      stringifyYaml({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "widgets.example.com" },
        spec: {
          group: "example.com",
          scope: "Namespaced",
          names: { plural: "widgets", singular: "widget", kind: "Widget" },
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
            },
          ],
        },
      }),
    );
    const values = valuesFile(home, {
      extraManifests: [{ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w1" }, spec: { size: 3 } }],
    });
    const started = Date.now();
    await helmOk(home, ["install", "widgets", chart, "-n", "default", "-f", values, "--wait", "--timeout", "30s"]);
    expect(Date.now() - started).toBeLessThan(20_000); // not Helm's 60 s CRD wait running out
    expect(sandbox.store.get("example.com/v1", "Widget", "default", "w1")?.spec).toEqual({ size: 3 });
    const crd = sandbox.store.get(
      "apiextensions.k8s.io/v1",
      "CustomResourceDefinition",
      undefined,
      "widgets.example.com",
    );
    expect(crd?.status?.storedVersions).toEqual(["v1"]);
  });

  it("install --wait times out on a workload that never becomes ready, leaving the release failed", async () => {
    const r = await helm(home, [
      "install",
      "never",
      TINY_CHART,
      "-n",
      "default",
      "--wait",
      "--timeout",
      "3s",
      "--set",
      "deployment.enabled=true",
      "--set",
      "deployment.rollout=never",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("context deadline exceeded");
    expect((await helmList(home)).find((x) => x.name === "never")).toMatchObject({ revision: "1", status: "failed" });
  });
});

describe("real Helm against `upshift sandbox`", () => {
  it("installs into the server the CLI starts, with the kubeconfig it writes (was: 'the sandbox speaks JSON only')", async () => {
    const dir = mkdtempSync(join(tmpdir(), "upshift-sandbox-helm-"));
    const kubeconfig = join(dir, "kubeconfig");
    const child = spawn(process.execPath, [BIN, "sandbox", "--fixture", HEALTHY, "--kubeconfig-out", kubeconfig], {
      env: { PATH: process.env.PATH, HOME: dir, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    try {
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      const deadline = Date.now() + 30_000;
      while (!out.includes("\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(out).toMatch(/^listening on https:\/\/127\.0\.0\.1:\d+\n$/);
      const cliHome: HelmHome = { ...home, kubeconfig, env: { ...home.env, KUBECONFIG: kubeconfig } };
      expect(
        await helmOk(cliHome, ["install", "cli", TINY_CHART, "-n", "default", "--wait", "--timeout", "30s"]),
      ).toContain("STATUS: deployed");
      expect(await helmOk(cliHome, ["uninstall", "cli", "-n", "default", "--keep-history"])).toContain("uninstalled");
      expect((await helmList(cliHome)).find((r) => r.name === "cli")).toMatchObject({ status: "uninstalled" });
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(killer);
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

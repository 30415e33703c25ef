// Upshift's own paths to a cluster over HTTPS, once per way a kubeconfig authenticates (bearer
// token, client certificate, exec credential plugin): `upshift check` (the check runner through
// client-node, including the API server's /metrics for API-03) as a child process, and an add-on
// cycle's manifests driver applying and verifying a new version (the sandbox's controllers roll it out).
// Watches over TLS are in test/watch/watch.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { ManifestsDriver } from "../../src/cycles/drivers/manifestsDriver.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { type KubeconfigAuth, type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { FIXTURES } from "../cycles/harness.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";
import { runUpshift } from "../tools/upshiftProcess.ts";

const MODES: KubeconfigAuth[] = ["token", "client-cert", "exec"];

// A deprecated API removed in 1.32 that a client still calls: API-03 finds it only if /metrics was read.
const METRICS = `# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.
# TYPE apiserver_requested_deprecated_apis gauge
apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="flowschemas",subresource="",version="v1beta3"} 1
`;

let dir: string;
let sandbox: SandboxServer;

const upshift = (args: string[]) => runUpshift(args, { env: { HOME: dir } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "upshift-tls-paths-"));
  sandbox = await startSandbox({ objects: plantedProblems(), serverVersion: "v1.31.4", metrics: METRICS, tls: true });
});

afterAll(async () => {
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(MODES)("over HTTPS with %s authentication", (auth) => {
  it("upshift check reads the cluster and the API server's /metrics (API-03)", async () => {
    const kubeconfig = join(dir, `kc-${auth}`);
    sandbox.writeKubeconfig(kubeconfig, "prod", { auth });
    sandbox.clearRequests();
    const r = await upshift(["check", "--kubeconfig", kubeconfig, "--target", "v1.32.0", "--output", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ cluster: "prod", serverVersion: "v1.31.4", verdict: "blocked" });
    const checks = report.findings.map((f: { check: string }) => f.check);
    expect(checks).toContain("HELM-01");
    expect(report.findings.find((f: { check: string }) => f.check === "API-03")).toMatchObject({
      object: { apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3", name: "flowschemas" },
    });
    expect(sandbox.requests.some((q) => q.path === "/metrics")).toBe(true);
  });

  it("an add-on cycle's manifests driver applies a new version and verifies its rollout", async () => {
    const cluster = await startSandbox({ fixture: join(FIXTURES, "demo-ingress/v1"), rolloutDelayMs: 30, tls: true });
    try {
      const kubeconfig = join(dir, `kc-cycle-${auth}`);
      cluster.writeKubeconfig(kubeconfig, "edge", { auth });
      const clusters = ClusterDirectory.load(kubeconfig);
      const { addons } = fileConfigSchema.parse({
        addons: [
          { name: "demo-ingress", driver: "manifests", manifests: "demo-ingress/v2", namespace: "demo-ingress" },
        ],
      });
      const driver = new ManifestsDriver({
        kc: clusters.kubeConfig("edge"),
        client: clusters.client("edge"),
        addons,
        baseDir: FIXTURES,
        rolloutDeadlineMs: 10_000,
        pollMs: 20,
      });
      const applied = await driver.enable("demo-ingress");
      expect(applied.action).toContain("apply demo-ingress");
      const verified = await driver.verify("demo-ingress");
      expect(verified).toMatchObject({ ok: true });
      expect(await driver.status()).toMatchObject([{ name: "demo-ingress", status: "enabled", version: "1.11.2" }]);
      // The rollout was the controllers' doing: a ReplicaSet for the new template, its pods Ready.
      const rs = cluster.store.list("apps/v1", "ReplicaSet", "demo-ingress");
      expect(rs).toHaveLength(1);
      expect(cluster.store.list("v1", "Pod", "demo-ingress")).toHaveLength(2);
    } finally {
      await cluster.close();
    }
  });
});

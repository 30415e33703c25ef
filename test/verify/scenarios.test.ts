// Before/after pairs in the sandbox: a real preflight (every check) takes the baseline from the
// "before" cluster, a second sandbox serves the "after" cluster on the same context name, and a
// verify reads it and compares. Nothing between the two is stubbed.
import { afterEach, describe, expect, it } from "vitest";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { parseBaseline } from "../../src/verify/baseline.ts";
import { preflightWithBaseline, runVerify } from "../../src/verify/verify.ts";
import {
  BEFORE,
  CLEAN_UPGRADE,
  type ClusterShape,
  CRASH_LOOP_OLD_ADDON,
  clusterObjects,
  RELEASE_PENDING,
} from "../fixtures/verify/clusters.ts";

const CONTEXT = "prod";
const open: SandboxServer[] = [];
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

async function clusterOf(shape: ClusterShape) {
  const sandbox = await startSandbox({ objects: clusterObjects(shape), serverVersion: shape.server });
  open.push(sandbox);
  return { sandbox, client: ClusterDirectory.fromString(sandbox.kubeconfig(CONTEXT)).client(CONTEXT) };
}

async function verifyPair(after: ClusterShape) {
  const before = await clusterOf(BEFORE);
  const { baseline, report } = await preflightWithBaseline(before.client, { checks: allChecks });
  // One read of the cluster: the baseline's lists came with the preflight's, each resource listed once.
  const lists = before.sandbox.requests.filter((r) => r.verb === "list").map((r) => `${r.group}/${r.resource}`);
  expect(lists).toEqual(expect.arrayContaining(["/nodes", "/pods", "apps/deployments", "policy/poddisruptionbudgets"]));
  expect(lists.length).toBe(new Set(lists).size);
  expect(parseBaseline(JSON.parse(JSON.stringify(baseline)))).toMatchObject({ ok: true });
  expect(baseline).toMatchObject({ cluster: CONTEXT, serverVersion: "v1.32.4", target: report.target });
  const now = await clusterOf(after);
  return runVerify(now.client, baseline, { checks: allChecks });
}

describe("verify against the sandbox", () => {
  it("the baseline holds versions, workloads, releases, CRDs and PDB headroom, not objects", async () => {
    const { client } = await clusterOf(BEFORE);
    const { baseline } = await preflightWithBaseline(client, { checks: allChecks });
    expect(baseline.components).toEqual([
      { component: "kube-apiserver", version: "v1.32.4", count: 1 },
      { component: "kube-controller-manager", version: "v1.32.4", count: 1 },
      { component: "kube-scheduler", version: "v1.32.4", count: 1 },
    ]);
    expect(baseline.nodeGroups).toEqual([
      {
        kubelet: "v1.32.4",
        kubeProxy: "v1.32.4",
        runtime: "containerd://2.0.5",
        count: 3,
        examples: ["cp-1", "worker-1", "worker-2"],
      },
    ]);
    expect(baseline.addons).toEqual([
      { addon: "dns", name: "CoreDNS", version: "1.11.3", workloads: ["Deployment kube-system/coredns"] },
    ]);
    expect(baseline.workloads).toContainEqual({
      key: "Deployment web/web",
      desired: 3,
      ready: 3,
      restarts: 0,
      crashLooping: 0,
    });
    expect(baseline.releases).toEqual([
      { namespace: "web", name: "web", revision: 2, status: "deployed", chart: "web-1.4.0" },
    ]);
    expect(baseline.crds).toEqual([{ name: "widgets.example.com", versions: ["v1"], storedVersions: ["v1"] }]);
    expect(baseline.pdbs).toEqual([{ key: "PodDisruptionBudget web/web", disruptionsAllowed: 1 }]);
    expect(JSON.stringify(baseline)).not.toContain("containerStatuses");
  });

  it("a clean upgrade is healthy and says what moved", async () => {
    const { result } = await verifyPair(CLEAN_UPGRADE);
    expect(result.worse).toEqual([]);
    expect(result.left).toEqual([]);
    expect(result.verdict).toBe("healthy");
    expect(result.changed).toEqual(
      expect.arrayContaining([
        "Kubernetes server: v1.32.4 → v1.33.1",
        "kubelet: v1.32.4 (3 nodes) → v1.33.1 (3 nodes)",
        "kube-proxy: v1.32.4 (3 nodes) → v1.33.1 (3 nodes)",
        "CoreDNS: 1.11.3 → 1.12.0",
      ]),
    );
  });

  it("an upgrade that left a crash loop, an old CoreDNS and an old kubelet is degraded and offers the cycle", async () => {
    const { result } = await verifyPair(CRASH_LOOP_OLD_ADDON);
    expect(result.verdict).toBe("degraded");
    const worse = result.worse.map((w) => w.text);
    expect(worse).toContain("Deployment web/web: 2 containers in CrashLoopBackOff (none at the baseline)");
    expect(worse).toContain("Deployment web/web: 1/3 ready (was 3/3)");
    expect(worse).toContain("PodDisruptionBudget web/web now blocks drains: 0 disruptions allowed (was 1)");
    expect(result.left).toContainEqual({
      text: "CoreDNS still at 1.11.3 (below 1.12.0, the oldest release supported on 1.33, unchanged since v1.32.4)",
      command: "/upgrade-cycle prod dns",
    });
    expect(result.left).toContainEqual({ text: "1 node still on kubelet v1.32.4 (server v1.33.1): worker-2" });
  });

  it("an upgrade with a release stuck pending is degraded with the release and its new HELM-01 finding", async () => {
    const { result } = await verifyPair(RELEASE_PENDING);
    expect(result.verdict).toBe("degraded");
    expect(result.worse).toContainEqual({
      severity: "high",
      text: "Helm release web/web is pending-upgrade at revision 3 (was deployed at 2)",
    });
    expect(
      result.worse.some((w) => w.text.startsWith("New finding HELM-01 Secret web/sh.helm.release.v1.web.v3")),
    ).toBe(true);
    expect(result.changed).toContain("Helm release web/web: revision 2 → 3 (web-1.4.0 → web-1.5.0)");
  });
});

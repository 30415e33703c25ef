import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { api05RemovedAlphaObjects } from "../../src/checks/catalog/api-05-removed-alpha-objects.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { runPreflight } from "../../src/checks/preflight.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import type { KubeObject } from "../../src/kube/resources.ts";
import { startSandbox } from "../../src/sandbox/index.ts";

const svm = (name: string): KubeObject => ({
  apiVersion: "storagemigration.k8s.io/v1alpha1",
  kind: "StorageVersionMigration",
  metadata: { name },
  spec: { resource: { group: "example.com", version: "v1", resource: "widgets" } },
});
const workload = (name: string): KubeObject => ({
  apiVersion: "scheduling.k8s.io/v1alpha2",
  kind: "Workload",
  metadata: { name, namespace: "training" },
});
const podGroup = (name: string): KubeObject => ({
  apiVersion: "scheduling.k8s.io/v1alpha2",
  kind: "PodGroup",
  metadata: { name, namespace: "training" },
});
const leaseCandidate = (name: string): KubeObject => ({
  apiVersion: "coordination.k8s.io/v1alpha1",
  kind: "LeaseCandidate",
  metadata: { name, namespace: "kube-system" },
});

async function run(objects: KubeObject[], serverVersion: string, target: string) {
  return api05RemovedAlphaObjects.evaluate(contextFromObjects(objects, { serverVersion, target }));
}

describe("API-05 objects of a removed alpha version must be deleted first", () => {
  it("blocks 1.34 → 1.35 while StorageVersionMigrations exist in v1alpha1, one finding for all of them", async () => {
    const findings = await run([svm("widgets-v1"), svm("gadgets-v1")], "v1.34.2", "1.35");
    expect(findings).toHaveLength(1);
    expect(findings[0].object).toMatchObject({
      apiVersion: "storagemigration.k8s.io/v1alpha1",
      kind: "StorageVersionMigration",
      name: "widgets-v1",
    });
    expect(findings[0].message).toContain(
      "2 StorageVersionMigration objects exist in storagemigration.k8s.io/v1alpha1",
    );
    expect(findings[0].message).toContain("widgets-v1, gadgets-v1");
    expect(findings[0].evidence).toContain("kubernetes/kubernetes#134784");
    expect(findings[0].remediation).toContain(
      "kubectl delete storageversionmigrations.v1alpha1.storagemigration.k8s.io --all",
    );
    expect(findings[0].remediation).toContain("storagemigration.k8s.io/v1");
    expect(api05RemovedAlphaObjects.severity).toBe("blocker");
  });

  it("blocks 1.36 → 1.37 for v1alpha2 Workloads and PodGroups, and 1.31 → 1.32 for v1alpha1 LeaseCandidates", async () => {
    const objects = [workload("job-a"), podGroup("job-a-0"), podGroup("job-a-1"), leaseCandidate("kcm-node-1")];
    const at137 = await run(objects, "v1.36.1", "1.37");
    expect(at137.map((f) => [f.object.kind, f.object.namespace, f.evidence?.split(";")[0]])).toEqual([
      ["Workload", "training", "list workloads.scheduling.k8s.io/v1alpha2: 1 object"],
      ["PodGroup", "training", "list podgroups.scheduling.k8s.io/v1alpha2: 2 objects"],
    ]);
    expect(at137[0].remediation).toContain("--all -A");
    const at132 = await run(objects, "v1.31.5", "1.32");
    expect(at132.map((f) => f.object.kind)).toEqual(["LeaseCandidate"]);
    // A skip-level plan crossing both removals reports both.
    expect((await run([svm("x"), workload("w")], "v1.34.0", "1.37")).map((f) => f.object.kind)).toEqual([
      "StorageVersionMigration",
      "Workload",
    ]);
  });

  it("stays quiet when the upgrade does not cross the removal, or nothing exists", async () => {
    // Target before the removal: v1alpha1 is still served on 1.34.
    expect(await run([svm("x")], "v1.33.4", "1.34")).toEqual([]);
    // Already past it (such a list would 404 anyway).
    expect(await run([svm("x")], "v1.35.0", "1.36")).toEqual([]);
    expect(await run([workload("w")], "v1.37.0", "1.38")).toEqual([]);
    expect(await run([], "v1.34.2", "1.35")).toEqual([]);
    // Objects of the replacement versions are not the removed alpha's.
    const beta: KubeObject = { ...workload("w"), apiVersion: "scheduling.k8s.io/v1beta1" };
    expect(await run([beta], "v1.36.0", "1.37")).toEqual([]);
  });

  it("lists the alpha through the API server: 404 when not served means no finding, objects when enabled", async () => {
    for (const [objects, expected] of [
      [[], []],
      [[svm("widgets-v1")], ["StorageVersionMigration"]],
    ] as Array<[KubeObject[], string[]]>) {
      const sandbox = await startSandbox({ objects, serverVersion: "v1.34.3" });
      try {
        const path = join(mkdtempSync(join(tmpdir(), "upshift-api05-")), "config");
        sandbox.writeKubeconfig(path, "c");
        const report = await runPreflight(ClusterDirectory.load(path).client("c"), {
          checks: [api05RemovedAlphaObjects],
          target: "1.35",
        });
        expect(report.findings.map((f) => f.object.kind)).toEqual(expected);
        expect(report.verdict).toBe(expected.length ? "blocked" : "ready");
        const svmList = sandbox.requests.find((r) => r.path.startsWith("/apis/storagemigration.k8s.io/v1alpha1"));
        expect(svmList, "the v1alpha1 list was asked for").toBeDefined();
      } finally {
        await sandbox.close();
      }
    }
  });
});

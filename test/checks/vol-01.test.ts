import { describe, expect, it } from "vitest";
import { vol01RemovedVolumePlugins } from "../../src/checks/catalog/vol-01-removed-volume-plugins.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const deployment = (name: string, volumes: unknown[], replicas = 2): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "apps" },
  spec: { replicas, template: { spec: { containers: [{ name: "app", image: "app:1" }], volumes } } },
});
const pod = (name: string, rs: string, volumes: unknown[]): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name,
    namespace: "apps",
    ownerReferences: [{ kind: "ReplicaSet", name: rs, controller: true }],
    labels: { "pod-template-hash": rs.split("-").pop()! },
  },
  spec: { containers: [{ name: "app", image: "app:1" }], volumes },
});
const pv = (name: string, source: Record<string, unknown>): KubeObject => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name },
  spec: { capacity: { storage: "1Gi" }, ...source },
});
const gitRepo = { name: "src", gitRepo: { repository: "https://git.example/app.git" } };
const run = (objects: KubeObject[], server: string, target: string) =>
  vol01RemovedVolumePlugins.evaluate(contextFromObjects(objects, { serverVersion: server, target })) as FindingInput[];

describe("VOL-01 removed volume plugins", () => {
  it("reports gitRepo once per workload, not per pod: high crossing 1.33, blocker crossing 1.36", () => {
    const objects = [
      deployment("web", [gitRepo]),
      pod("web-5d8f7c9b6-a", "web-5d8f7c9b6", [gitRepo]),
      pod("web-5d8f7c9b6-b", "web-5d8f7c9b6", [gitRepo]),
    ];
    const at133 = run(objects, "v1.32.4", "1.33");
    expect(at133).toHaveLength(1);
    expect(at133[0]).toMatchObject({
      severity: "high",
      object: { kind: "Deployment", namespace: "apps", name: "web" },
    });
    expect(at133[0].message).toContain("Deployment apps/web (2 pods) mounts gitRepo volume src");
    expect(run(objects, "v1.35.2", "1.36")[0].severity).toBe("blocker");
    expect(run(objects, "v1.33.2", "1.34")).toEqual([]);
  });

  it("reports PersistentVolumes per plugin: CephFS/RBD at 1.31, Portworx at 1.36", () => {
    const objects = [
      pv("pv-ceph-1", { cephfs: { monitors: ["10.0.0.1:6789"] } }),
      pv("pv-ceph-2", { cephfs: { monitors: ["10.0.0.1:6789"] } }),
      pv("pv-px", { portworxVolume: { volumeID: "px1" } }),
      pv("pv-csi", { csi: { driver: "pxd.portworx.com", volumeHandle: "px2" } }),
    ];
    const at131 = run(objects, "v1.30.9", "1.31");
    expect(at131).toHaveLength(1);
    expect(at131[0]).toMatchObject({ severity: "blocker", object: { kind: "PersistentVolume", name: "pv-ceph-1" } });
    expect(at131[0].message).toContain("2 PersistentVolumes (pv-ceph-1, pv-ceph-2) use cephfs");
    const at136 = run(objects, "v1.35.2", "1.36");
    expect(at136.map((f) => [f.object.name, f.severity])).toEqual([["pv-px", "high"]]);
  });

  it("flags FlexVolume pod volumes at 1.36 as medium and keeps CSI, emptyDir and configMap volumes clean", () => {
    const objects = [
      deployment("legacy", [{ name: "data", flexVolume: { driver: "example/lvm" } }]),
      deployment("modern", [
        { name: "cache", emptyDir: {} },
        { name: "cfg", configMap: { name: "cfg" } },
        { name: "inline", csi: { driver: "secrets-store.csi.k8s.io" } },
      ]),
    ];
    const findings = run(objects, "v1.35.2", "1.36");
    expect(findings.map((f) => [f.object.name, f.severity])).toEqual([["legacy", "medium"]]);
  });
});

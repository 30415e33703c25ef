import { describe, expect, it } from "vitest";
import { etcd01EtcdVersionForKubeadm } from "../../src/checks/catalog/etcd-01-etcd-version-for-kubeadm.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const etcd = (node: string, image: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: `etcd-${node}`, namespace: "kube-system", labels: { component: "etcd", tier: "control-plane" } },
  spec: { nodeName: node, containers: [{ name: "etcd", image, command: ["etcd", "--data-dir=/var/lib/etcd"] }] },
});
const run = (objects: KubeObject[], server = "v1.35.2", target = "1.36") =>
  etcd01EtcdVersionForKubeadm.evaluate(
    contextFromObjects(objects, { serverVersion: server, target }),
  ) as FindingInput[];

describe("ETCD-01 etcd version for kubeadm 1.36", () => {
  it("blocks 3.5 members below 3.5.26, one finding for the whole cluster's image", () => {
    const findings = run([
      etcd("cp-1", "registry.k8s.io/etcd:3.5.21-0"),
      etcd("cp-2", "registry.k8s.io/etcd:3.5.21-0"),
      etcd("cp-3", "registry.k8s.io/etcd:3.5.21-0"),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0].severity).toBeUndefined();
    expect(findings[0].message).toContain("etcd on cp-1, cp-2, cp-3 runs etcd 3.5.21");
    expect(findings[0].evidence).toBe("spec.containers[etcd].image=registry.k8s.io/etcd:3.5.21-0");
  });

  it("blocks etcd 3.4 (one minor at a time) and notes 3.5.26+ as low", () => {
    const findings = run([etcd("a", "registry.k8s.io/etcd:3.4.33-0"), etcd("b", "registry.k8s.io/etcd:3.5.26-0")]);
    expect(findings.map((f) => [f.object.name, f.severity])).toEqual([
      ["etcd-a", undefined],
      ["etcd-b", "low"],
    ]);
    expect(findings[0].message).toContain("3.4 → 3.5 → 3.6");
  });

  it("is quiet for etcd 3.6, for managed control planes, and when the upgrade does not cross 1.36", () => {
    expect(run([etcd("a", "registry.k8s.io/etcd:3.6.8-0")])).toEqual([]);
    expect(run([])).toEqual([]);
    expect(run([etcd("a", "registry.k8s.io/etcd:3.5.21-0")], "v1.34.1", "1.35")).toEqual([]);
  });

  it("says 'could not evaluate' for an etcd image without a version tag", () => {
    const findings = run([etcd("a", "registry.example/etcd@sha256:0123abcd")]);
    expect(findings).toHaveLength(1);
    expect(findings[0].severity).toBe("info");
    expect(findings[0].message).toContain("Could not evaluate");
  });
});

import { describe, expect, it } from "vitest";
import { cp01RemovedFlagsAndGates } from "../../src/checks/catalog/cp-01-removed-flags-and-gates.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";
import { RELEASE_REMOVALS } from "../../src/versions/releaseRemovals.ts";

const mirror = (component: string, node: string, args: string[]): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: `${component}-${node}`,
    namespace: "kube-system",
    labels: { component, tier: "control-plane" },
    annotations: { "kubernetes.io/config.mirror": "abc" },
  },
  spec: {
    nodeName: node,
    containers: [{ name: component, image: `registry.k8s.io/${component}:v1.36.2`, command: [component, ...args] }],
  },
});
const kubeletConfig = (yaml: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "kubelet-config", namespace: "kube-system" },
  data: { kubelet: yaml },
});
const run = (objects: KubeObject[], server = "v1.36.2", target = "1.37") =>
  cp01RemovedFlagsAndGates.evaluate(contextFromObjects(objects, { serverVersion: server, target })) as FindingInput[];

describe("CP-01 removed or locked control-plane flags and feature gates", () => {
  it("reports 1.37's removed gates and flag once per component, HA members together", () => {
    const findings = run([
      mirror("kube-apiserver", "cp-1", ["--feature-gates=SidecarContainers=true,ConsistentListFromCache=true"]),
      mirror("kube-apiserver", "cp-2", ["--feature-gates=SidecarContainers=true,ConsistentListFromCache=true"]),
      mirror("kube-controller-manager", "cp-1", ["--concurrent-service-syncs=5", "--leader-elect=true"]),
      mirror("kube-scheduler", "cp-1", ["--feature-gates", "GangScheduling=true"]),
    ]);
    expect(findings.map((f) => f.object.name)).toEqual([
      "kube-apiserver-cp-1",
      "kube-controller-manager-cp-1",
      "kube-scheduler-cp-1",
    ]);
    expect(findings[0].message).toContain("kube-apiserver on cp-1, cp-2 will not start at the target");
    expect(findings[0].message).toContain("feature gate SidecarContainers is removed in 1.37");
    expect(findings[0].message).toContain("https://github.com/kubernetes/kubernetes/pull/137755");
    expect(findings[1].message).toContain("flag --concurrent-service-syncs is removed in 1.37");
    expect(findings[2].evidence).toBe("--feature-gates GangScheduling=true");
  });

  it("accepts a locked gate set to its locked value, and refuses one set against it", () => {
    // 1.34 → 1.35 locks ExecProbeTimeout to true; JobManagedBy=true is the locked value.
    const ok = run(
      [mirror("kube-controller-manager", "cp-1", ["--feature-gates=JobManagedBy=true"])],
      "v1.34.3",
      "1.35",
    );
    expect(ok).toEqual([]);
    const bad = run(
      [kubeletConfig("kind: KubeletConfiguration\nfeatureGates:\n  ExecProbeTimeout: false\n")],
      "v1.34.3",
      "1.35",
    );
    expect(bad).toHaveLength(1);
    expect(bad[0].object).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: "kube-system",
      name: "kubelet-config",
    });
    expect(bad[0].message).toContain("ExecProbeTimeout is locked to true from 1.35");
  });

  it("stays quiet for gates the upgrade does not cross and for gates that remain", () => {
    // SidecarContainers is locked (true) from 1.33 and only removed in 1.37.
    expect(
      run([mirror("kube-apiserver", "cp-1", ["--feature-gates=SidecarContainers=true"])], "v1.35.1", "1.36"),
    ).toEqual([]);
    expect(run([mirror("kube-apiserver", "cp-1", ["--feature-gates=MutatingAdmissionPolicy=true"])])).toEqual([]);
    // etcd's own --feature-gates are not Kubernetes gates.
    expect(run([mirror("etcd", "cp-1", ["--feature-gates=InitialCorruptCheck=true"])])).toEqual([]);
  });

  it("says 'could not evaluate' past the end of its tables when gates are set", () => {
    const findings = run([mirror("kube-apiserver", "cp-1", ["--feature-gates=Foo=true"])], "v1.37.0", "1.38");
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "info", object: { kind: "Cluster" } });
    expect(findings[0].message).toContain("Could not evaluate feature gates and flags removed after 1.37");
    expect(run([mirror("kube-apiserver", "cp-1", ["--v=2"])], "v1.37.0", "1.38")).toEqual([]);
  });

  it("has a table for every minor from 1.33 to 1.37, each row with its pull request", () => {
    expect(Object.keys(RELEASE_REMOVALS)).toEqual(["1.33", "1.34", "1.35", "1.36", "1.37"]);
    for (const t of Object.values(RELEASE_REMOVALS))
      for (const row of [...t.removedGates, ...t.lockedGates, ...t.removedFlags])
        expect(row.pr).toBeGreaterThan(100000);
  });
});

import { describe, expect, it } from "vitest";
import { skew04ControlPlaneSkew } from "../../src/checks/catalog/skew-04-control-plane-skew.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const cp = (component: string, node: string, version: string, labelled = true): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: `${component}-${node}`,
    namespace: "kube-system",
    labels: labelled ? { component, tier: "control-plane" } : {},
  },
  spec: { containers: [{ name: component, image: `registry.k8s.io/${component}:${version}` }] },
});
const run = async (objects: KubeObject[], serverVersion: string, target: string) =>
  (await skew04ControlPlaneSkew.evaluate(contextFromObjects(objects, { serverVersion, target }))) as FindingInput[];

describe("SKEW-04 control-plane skew", () => {
  it("flags a scheduler newer than an apiserver and a controller-manager two minors behind", async () => {
    const objects = [
      cp("kube-apiserver", "cp1", "v1.30.2"),
      cp("kube-apiserver", "cp2", "v1.30.2"),
      cp("kube-controller-manager", "cp1", "v1.30.2"),
      cp("kube-controller-manager", "cp2", "v1.28.9", false), // found by name
      cp("kube-scheduler", "cp1", "v1.30.1"),
      cp("kube-scheduler", "cp2", "v1.31.0"),
    ];
    const findings = await run(objects, "v1.30.2", "1.31");
    expect(findings.map((f) => [f.object.name, f.evidence])).toEqual([
      [
        "kube-controller-manager-cp2",
        "kube-controller-manager-cp2: spec.containers[kube-controller-manager].image=registry.k8s.io/kube-controller-manager:v1.28.9; newest kube-apiserver 1.30",
      ],
      [
        "kube-scheduler-cp2",
        "kube-scheduler-cp2: spec.containers[kube-scheduler].image=registry.k8s.io/kube-scheduler:v1.31.0; oldest kube-apiserver 1.30",
      ],
    ]);
    expect(findings[1].message).toBe(
      "kube-scheduler on kube-scheduler-cp2 runs 1.31, newer than the oldest kube-apiserver (kube-apiserver-cp1) at 1.30; it must not be newer than any apiserver it talks to.",
    );
  });

  it("HA apiservers: two minors apart is flagged; one minor or patches apart is fine among themselves", async () => {
    const apart2 = [cp("kube-apiserver", "a", "v1.28.0"), cp("kube-apiserver", "b", "v1.30.0")];
    expect((await run(apart2, "v1.30.0", "1.30")).map((f) => f.object.name)).toEqual(["kube-apiserver-a"]);
    const patches = [
      cp("kube-apiserver", "a", "v1.30.1"),
      cp("kube-apiserver", "b", "v1.30.9"),
      cp("kube-scheduler", "a", "v1.30.9"),
    ];
    expect(await run(patches, "v1.30.9", "1.31")).toEqual([]);
  });

  it("uses the oldest HA apiserver, not the one /version answered from", async () => {
    // /version came from the upgraded instance; cp2 still runs 1.29, and the scheduler at 1.30 is newer than it.
    const objects = [
      cp("kube-apiserver", "cp1", "v1.30.0"),
      cp("kube-apiserver", "cp2", "v1.29.6"),
      cp("kube-scheduler", "cp1", "v1.30.0"),
    ];
    const findings = await run(objects, "v1.30.0", "1.30");
    expect(findings.map((f) => f.object.name)).toEqual(["kube-scheduler-cp1"]);
    expect(findings[0].message).toContain("newer than the oldest kube-apiserver (kube-apiserver-cp2) at 1.29");
  });

  it("judges components against the target: what the apiserver upgrade would leave two minors behind", async () => {
    // Policy-compliant today (controller-manager one behind, HA apiservers one apart), broken at 1.35.
    const objects = [
      cp("kube-apiserver", "cp1", "v1.34.2"),
      cp("kube-apiserver", "cp2", "v1.33.7"),
      cp("kube-controller-manager", "cp1", "v1.33.7"),
      cp("kube-controller-manager", "cp2", "v1.33.7"),
      cp("kube-scheduler", "cp1", "v1.33.7"),
    ];
    const findings = await run(objects, "v1.34.2", "1.35");
    expect(findings.map((f) => f.message)).toEqual([
      "kube-apiserver on kube-apiserver-cp2 runs 1.33: upgrading it to 1.35 would skip 1.34; every apiserver must be at 1.34 before the step to 1.35.",
      "kube-controller-manager on kube-controller-manager-cp1 and kube-controller-manager-cp2 runs 1.33: once kube-apiserver is at 1.35 it would be 2 minors behind; the skew policy allows one.",
      "kube-scheduler on kube-scheduler-cp1 runs 1.33: once kube-apiserver is at 1.35 it would be 2 minors behind; the skew policy allows one.",
    ]);
    expect(findings[1].evidence).toBe(
      "kube-controller-manager-cp1: spec.containers[kube-controller-manager].image=registry.k8s.io/kube-controller-manager:v1.33.7 (+1 more pod); target 1.35",
    );
    // Near miss: everything at 1.34 going to 1.35 is the supported order.
    const ready = [
      cp("kube-apiserver", "cp1", "v1.34.2"),
      cp("kube-apiserver", "cp2", "v1.34.1"),
      cp("kube-controller-manager", "cp1", "v1.34.2"),
      cp("kube-scheduler", "cp1", "v1.34.0"),
    ];
    expect(await run(ready, "v1.34.2", "1.35")).toEqual([]);
  });

  it("includes cloud-controller-manager, found by label or by a provider-prefixed name", async () => {
    const ccm = (name: string, image: string, labels: Record<string, string> = {}): KubeObject => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "kube-system", labels },
      spec: { containers: [{ name: "cloud-controller-manager", image }] },
    });
    const objects = [
      cp("kube-apiserver", "cp1", "v1.34.1"),
      ccm("aws-cloud-controller-manager-x7k2p", "registry.k8s.io/provider-aws/cloud-controller-manager:v1.32.3"),
      ccm("ccm-abc", "registry.k8s.io/provider-os/openstack-cloud-controller-manager:v1.35.0", {
        "k8s-app": "cloud-controller-manager",
      }),
      ccm("ccm-ok", "registry.k8s.io/provider-aws/cloud-controller-manager:v1.34.0", {
        component: "cloud-controller-manager",
      }),
    ];
    const findings = await run(objects, "v1.34.1", "1.35");
    expect(findings.map((f) => [f.object.name, f.message.split(":")[0]])).toEqual([
      ["aws-cloud-controller-manager-x7k2p", expect.stringContaining("cloud-controller-manager on aws-cloud")],
      ["ccm-abc", expect.stringContaining("cloud-controller-manager on ccm-abc runs 1.35, newer than")],
    ]);
    expect(findings[0].message).toContain("runs 1.32, 2 minors behind kube-apiserver 1.34");
  });

  it("uses the server version when apiserver pods are hidden, and reports untagged images as info once per image", async () => {
    const untagged = (name: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "kube-system" },
      spec: { containers: [{ name: "kube-controller-manager", image: "kcm@sha256:00" }] },
    });
    const objects = [
      cp("kube-scheduler", "x", "v1.27.0"),
      untagged("kube-controller-manager-y"),
      untagged("kube-controller-manager-z"),
      { apiVersion: "v1", kind: "Pod", metadata: { name: "kube-scheduler-z", namespace: "default" } },
    ];
    const findings = await run(objects, "v1.29.3", "1.30");
    expect(findings.map((f) => [f.object.name, f.severity ?? "high"])).toEqual([
      ["kube-controller-manager-y", "info"],
      ["kube-scheduler-x", "high"],
    ]);
    expect(findings[0].message).toContain("2 kube-controller-manager pods (e.g. kube-controller-manager-y)");
  });
});

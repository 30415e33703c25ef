import { describe, expect, it } from "vitest";
import { skew04ControlPlaneSkew } from "../../src/checks/catalog/skew-04-control-plane-skew.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
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

describe("SKEW-04 control-plane skew", () => {
  it("flags a scheduler newer than an apiserver and a controller-manager two minors behind", async () => {
    const objects = [
      cp("kube-apiserver", "cp1", "v1.30.2"),
      cp("kube-apiserver", "cp2", "v1.30.2"),
      cp("kube-controller-manager", "cp1", "v1.30.2"),
      cp("kube-controller-manager", "cp2", "v1.28.9", false), // found by name
      cp("kube-scheduler", "cp1", "v1.29.1"), // one behind: fine
      cp("kube-scheduler", "cp2", "v1.31.0"),
    ];
    const findings = await skew04ControlPlaneSkew.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.2", target: "1.31" }),
    );
    expect(findings.map((f) => [f.object.name, f.evidence])).toEqual([
      [
        "kube-controller-manager-cp2",
        "spec.containers[kube-controller-manager].image=registry.k8s.io/kube-controller-manager:v1.28.9 (kube-apiserver 1.30)",
      ],
      [
        "kube-scheduler-cp2",
        "spec.containers[kube-scheduler].image=registry.k8s.io/kube-scheduler:v1.31.0 (kube-apiserver 1.30)",
      ],
    ]);
  });

  it("flags HA apiservers two minors apart and accepts one apart", async () => {
    const apart2 = [cp("kube-apiserver", "a", "v1.28.0"), cp("kube-apiserver", "b", "v1.30.0")];
    const findings = await skew04ControlPlaneSkew.evaluate(
      contextFromObjects(apart2, { serverVersion: "v1.30.0", target: "1.31" }),
    );
    expect(findings.map((f) => f.object.name)).toEqual(["kube-apiserver-a"]);
    const apart1 = [
      cp("kube-apiserver", "a", "v1.29.0"),
      cp("kube-apiserver", "b", "v1.30.0"),
      cp("kube-scheduler", "a", "v1.29.0"),
    ];
    expect(
      await skew04ControlPlaneSkew.evaluate(contextFromObjects(apart1, { serverVersion: "v1.30.0", target: "1.31" })),
    ).toEqual([]);
  });

  it("uses the server version when apiserver pods are hidden, and reports untagged images as info", async () => {
    const objects = [
      cp("kube-scheduler", "x", "v1.27.0"),
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "kube-controller-manager-y", namespace: "kube-system" },
        spec: { containers: [{ name: "kube-controller-manager", image: "kcm@sha256:00" }] },
      },
      { apiVersion: "v1", kind: "Pod", metadata: { name: "kube-scheduler-z", namespace: "default" } },
    ];
    const findings = await skew04ControlPlaneSkew.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.29.3", target: "1.30" }),
    );
    expect(findings.map((f) => [f.object.name, f.severity ?? "high"])).toEqual([
      ["kube-controller-manager-y", "info"],
      ["kube-scheduler-x", "high"],
    ]);
  });
});

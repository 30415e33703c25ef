import { describe, expect, it } from "vitest";
import { skew02KubeProxySkew } from "../../src/checks/catalog/skew-02-kube-proxy-skew.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const ds = (image: string, ns = "kube-system"): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "kube-proxy", namespace: ns },
  spec: { template: { spec: { containers: [{ name: "kube-proxy", image }] } } },
});
const proxyPod = (name: string, image: string, owned = false): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name,
    namespace: "kube-system",
    ownerReferences: owned ? [{ kind: "DaemonSet", name: "kube-proxy", controller: true }] : [],
  },
  spec: { containers: [{ name: "kube-proxy", image }] },
});

describe("SKEW-02 kube-proxy skew", () => {
  it("flags an old kube-proxy DaemonSet and not its pods", async () => {
    const objects = [
      ds("registry.k8s.io/kube-proxy:v1.28.3"),
      proxyPod("kube-proxy-abcde", "registry.k8s.io/kube-proxy:v1.28.3", true),
    ];
    const findings = await skew02KubeProxySkew.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.31.0", target: "1.32" }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      object: { kind: "DaemonSet", namespace: "kube-system", name: "kube-proxy" },
      evidence: "spec.template.spec.containers[kube-proxy].image=registry.k8s.io/kube-proxy:v1.28.3",
    });
  });

  it("accepts exactly three minors behind and ignores look-alikes outside kube-system", async () => {
    const objects = [
      ds("602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.29.0-eksbuild.1"),
      ds("kube-proxy:v1.20.0", "other"),
    ];
    expect(
      await skew02KubeProxySkew.evaluate(contextFromObjects(objects, { serverVersion: "v1.31.0", target: "1.32" })),
    ).toEqual([]);
  });

  it("groups static kube-proxy pods by image and reports untagged images as info", async () => {
    const objects = [
      proxyPod("kube-proxy-node-1", "gke.gcr.io/kube-proxy-amd64:v1.27.8-gke.100"),
      proxyPod("kube-proxy-node-2", "gke.gcr.io/kube-proxy-amd64:v1.27.8-gke.100"),
      proxyPod("kube-proxy-node-3", "gke.gcr.io/kube-proxy-amd64@sha256:abcdef"),
      { apiVersion: "v1", kind: "Pod", metadata: { name: "kube-proxy-broken", namespace: "kube-system" } },
    ];
    const findings = await skew02KubeProxySkew.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.0", target: "1.31" }),
    );
    expect(findings.map((f) => [f.object.name, f.severity ?? "blocker"])).toEqual([
      ["kube-proxy-node-1", "blocker"],
      ["kube-proxy-node-3", "info"],
      ["kube-proxy-broken", "info"],
    ]);
    expect(findings[0].message).toContain("2 kube-proxy pods");
  });
});

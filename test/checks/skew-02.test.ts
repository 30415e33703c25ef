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

  it("kube-proxy within three minors of the kubelet on its own node, grouped per version pair", async () => {
    const node = (name: string, kubelet: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name },
      status: { nodeInfo: { kubeletVersion: kubelet } },
    });
    const onNode = (name: string, image: string, nodeName: string): KubeObject => ({
      ...proxyPod(name, image, true),
      spec: { nodeName, containers: [{ name: "kube-proxy", image }] },
    });
    const objects = [
      ds("registry.k8s.io/kube-proxy:v1.35.1"),
      node("old-1", "v1.31.9"),
      node("old-2", "v1.31.12"),
      node("edge", "v1.32.0"), // exactly three behind: allowed
      node("new", "v1.35.1"),
      onNode("kube-proxy-a", "registry.k8s.io/kube-proxy:v1.35.1", "old-1"),
      onNode("kube-proxy-b", "registry.k8s.io/kube-proxy:v1.35.1", "old-2"),
      onNode("kube-proxy-c", "registry.k8s.io/kube-proxy:v1.35.1", "edge"),
      onNode("kube-proxy-d", "registry.k8s.io/kube-proxy:v1.35.1", "new"),
      onNode("kube-proxy-e", "registry.k8s.io/kube-proxy:v1.35.1", "gone"), // node not in the snapshot
    ];
    const findings = await skew02KubeProxySkew.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.35.1", target: "1.36" }),
    );
    expect(findings.map((f) => [f.severity, f.object.kind, f.object.name, f.message])).toEqual([
      [
        "high",
        "DaemonSet",
        "kube-proxy",
        "kube-proxy 1.35 runs next to kubelet 1.31 on 2 nodes: old-1, old-2: 4 minors newer than its kubelet; the skew policy allows 3.",
      ],
    ]);
    expect(findings[0].evidence).toBe(
      "pod kube-proxy-a on old-1: image=registry.k8s.io/kube-proxy:v1.35.1; node status.nodeInfo.kubeletVersion=v1.31.9",
    );
    expect(findings[0].remediation).toContain("Upgrade the kubelets on these nodes");
  });

  it("a kube-proxy below 1.25 may be only two minors away from its kubelet", async () => {
    const objects: KubeObject[] = [
      {
        apiVersion: "v1",
        kind: "Node",
        metadata: { name: "n1" },
        status: { nodeInfo: { kubeletVersion: "v1.21.14" } },
      },
      {
        ...proxyPod("kube-proxy-static-n1", "registry.k8s.io/kube-proxy:v1.24.9"),
        spec: { nodeName: "n1", containers: [{ name: "kube-proxy", image: "registry.k8s.io/kube-proxy:v1.24.9" }] },
      },
    ];
    const findings = await skew02KubeProxySkew.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.24.17", target: "1.24" }),
    );
    expect(findings.map((f) => [f.object.kind, f.message])).toEqual([
      [
        "Pod",
        "kube-proxy 1.24 runs next to kubelet 1.21 on node n1: 3 minors newer than its kubelet; the skew policy allows 2.",
      ],
    ]);
  });

  it("an old kube-proxy next to a newer kubelet is one finding (behind the target), not two", async () => {
    const objects: KubeObject[] = [
      ds("registry.k8s.io/kube-proxy:v1.28.4"),
      { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, status: { nodeInfo: { kubeletVersion: "v1.32.1" } } },
      {
        ...proxyPod("kube-proxy-q", "registry.k8s.io/kube-proxy:v1.28.4", true),
        spec: { nodeName: "n1", containers: [{ name: "kube-proxy", image: "registry.k8s.io/kube-proxy:v1.28.4" }] },
      },
    ];
    const findings = await skew02KubeProxySkew.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.32.1", target: "1.32" }),
    );
    expect(findings.map((f) => f.message)).toEqual([
      "DaemonSet kube-system/kube-proxy runs kube-proxy v1.28.4, 4 minors behind the target 1.32; the skew policy allows 3.",
    ]);
  });

  it("kube-proxy newer than the oldest HA apiserver (mirror pods), even when /version answered from a newer one", async () => {
    const apiserver = (node: string, version: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `kube-apiserver-${node}`, namespace: "kube-system", labels: { component: "kube-apiserver" } },
      spec: { containers: [{ name: "kube-apiserver", image: `registry.k8s.io/kube-apiserver:${version}` }] },
    });
    const proxy = ds("registry.k8s.io/kube-proxy:v1.34.2");
    const ha = [proxy, apiserver("cp1", "v1.34.2"), apiserver("cp2", "v1.33.9")];
    const findings = await skew02KubeProxySkew.evaluate(
      contextFromObjects(ha, { serverVersion: "v1.34.2", target: "1.35" }),
    );
    expect(findings.map((f) => f.message)).toEqual([
      "DaemonSet kube-system/kube-proxy runs kube-proxy v1.34.2, newer than the oldest API server 1.33 (kube-apiserver-cp2); kube-proxy must never be newer than kube-apiserver.",
    ]);
    // Near miss: without apiserver pods (managed control plane) /version stands in.
    expect(
      await skew02KubeProxySkew.evaluate(contextFromObjects([proxy], { serverVersion: "v1.34.2", target: "1.35" })),
    ).toEqual([]);
  });
});

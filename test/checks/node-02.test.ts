import { describe, expect, it } from "vitest";
import { node02CgroupV1 } from "../../src/checks/catalog/node-02-cgroup-v1.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput, KubeletMetrics } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const node = (name: string, info: Record<string, string> | undefined): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name },
  status: info === undefined ? {} : { nodeInfo: { operatingSystem: "linux", kubeletVersion: "v1.34.2", ...info } },
});
const centos7 = { osImage: "CentOS Linux 7 (Core)", kernelVersion: "3.10.0-1160.119.1.el7.x86_64" };
const ubuntu24 = { osImage: "Ubuntu 24.04.1 LTS", kernelVersion: "6.8.0-48-generic" };
const al2 = { osImage: "Amazon Linux 2", kernelVersion: "5.10.228-219.884.amzn2.x86_64" };
const kubeletConfig = (yaml: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "kubelet-config", namespace: "kube-system" },
  data: { kubelet: yaml },
});
const run = (objects: KubeObject[], opts: { server?: string; target?: string; metrics?: KubeletMetrics } = {}) =>
  node02CgroupV1.evaluate(
    contextFromObjects(objects, {
      serverVersion: opts.server ?? "v1.34.2",
      target: opts.target ?? "1.35",
      kubeletMetrics: opts.metrics,
    }),
  ) as FindingInput[];

describe("NODE-02 cgroup v1 nodes", () => {
  it("reports CentOS 7 nodes (kernel 3.10) once per node group as a blocker when crossing 1.35", () => {
    const findings = run([
      node("c7-a", centos7),
      node("c7-b", centos7),
      node("u24-a", ubuntu24),
      kubeletConfig("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n"),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0].severity).toBeUndefined(); // the check's blocker
    expect(findings[0].object).toEqual({ apiVersion: "v1", kind: "Node", name: "c7-a" });
    expect(findings[0].message).toContain("2 nodes (c7-a, c7-b)");
    expect(findings[0].message).toContain("does not set failCgroupV1, which defaults");
    expect(findings[0].evidence).toContain("below 4.15");
  });

  it("judges distributions that boot v1 by default on new kernels, and keeps v2 distributions clean", () => {
    const findings = run([
      node("al2", al2),
      node("u20-hwe", { osImage: "Ubuntu 20.04.6 LTS", kernelVersion: "5.15.0-122-generic" }),
      node("deb12", { osImage: "Debian GNU/Linux 12 (bookworm)", kernelVersion: "6.1.0-26-amd64" }),
      node("rhel9", { osImage: "Red Hat Enterprise Linux 9.4 (Plow)", kernelVersion: "5.14.0-427.el9.x86_64" }),
      node("al2023", { osImage: "Amazon Linux 2023.6.20241031", kernelVersion: "6.1.112-124.190.amzn2023.x86_64" }),
    ]);
    expect(findings.map((f) => f.object.name).sort()).toEqual(["al2", "u20-hwe"]);
    expect(findings.every((f) => f.message.includes("likely run cgroup v1"))).toBe(true);
  });

  it("stays quiet when the upgrade does not cross 1.35, and judges each node by its own kubelet", () => {
    expect(run([node("c7", centos7)], { server: "v1.33.1", target: "1.34" })).toEqual([]);
    // Control plane already on 1.35, but this kubelet is still 1.34: its upgrade crosses 1.35.
    const lagging = run([node("c7", { ...centos7, kubeletVersion: "v1.34.5" })], { server: "v1.35.0", target: "1.36" });
    expect(lagging).toHaveLength(1);
    const done = run([node("c7", { ...centos7, kubeletVersion: "v1.35.0" })], { server: "v1.35.0", target: "1.36" });
    expect(done).toEqual([]);
  });

  it("lowers to medium when kubelet-config sets failCgroupV1: false", () => {
    const findings = run([node("c7", centos7), kubeletConfig("kind: KubeletConfiguration\nfailCgroupV1: false\n")]);
    expect(findings).toHaveLength(1);
    expect(findings[0].severity).toBe("medium");
  });

  it("trusts kubelet_cgroup_version over guesses from the image", () => {
    const metrics: KubeletMetrics = {
      byNode: new Map([
        ["al2", "# TYPE kubelet_cgroup_version gauge\nkubelet_cgroup_version 2\n"],
        ["u24", "kubelet_cgroup_version 1\n"],
      ]),
    };
    const findings = run([node("al2", al2), node("u24", ubuntu24)], { metrics });
    expect(findings).toHaveLength(1);
    expect(findings[0].object.name).toBe("u24");
    expect(findings[0].evidence).toBe("kubelet_cgroup_version=1 (kubelet metrics of u24)");
  });

  it("applies the metrics of the sampled nodes to their whole node group", () => {
    // Upshift reads a few kubelets per node group; the others share image and kernel.
    const metrics: KubeletMetrics = {
      byNode: new Map([["al2-a", "kubelet_cgroup_version 2\n"]]),
      missing: "read from up to 3 nodes per node group",
    };
    expect(run([node("al2-a", al2), node("al2-b", al2), node("al2-c", al2)], { metrics })).toEqual([]);
  });

  it("says 'could not evaluate' for nodes without nodeInfo or with an unknown distribution", () => {
    const findings = run(
      [node("bare", undefined), node("exotic", { osImage: "Gentoo/Linux", kernelVersion: "6.6.1" })],
      {
        metrics: { byNode: new Map(), missing: "forbidden: nodes/proxy is not granted" },
      },
    );
    expect(findings.map((f) => [f.object.name, f.severity])).toEqual([
      ["bare", "info"],
      ["exotic", "info"],
    ]);
    expect(findings[0].message).toContain("Could not evaluate");
    expect(findings[0].message).toContain("status.nodeInfo.kernelVersion");
    expect(findings[0].message).toContain("forbidden: nodes/proxy is not granted");
    expect(findings[1].message).toContain('osImage "Gentoo/Linux" is not a distribution Upshift knows');
  });

  it("skips Windows nodes", () => {
    expect(run([node("win", { ...centos7, operatingSystem: "windows" })])).toEqual([]);
  });
});

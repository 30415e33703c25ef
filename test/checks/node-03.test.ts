import { describe, expect, it } from "vitest";
import { node03Containerd1x } from "../../src/checks/catalog/node-03-containerd-1x.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput, KubeletMetrics } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const node = (name: string, runtime: string | undefined, kubelet = "v1.35.3"): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name },
  status: {
    nodeInfo: {
      operatingSystem: "linux",
      kubeletVersion: kubelet,
      ...(runtime ? { containerRuntimeVersion: runtime } : {}),
    },
  },
});
const run = (objects: KubeObject[], server: string, target: string, metrics?: KubeletMetrics) =>
  node03Containerd1x.evaluate(
    contextFromObjects(objects, { serverVersion: server, target, kubeletMetrics: metrics }),
  ) as FindingInput[];

describe("NODE-03 containerd 1.x", () => {
  it("warns (high) when crossing 1.36, grouped per runtime version", () => {
    const findings = run(
      [node("a", "containerd://1.7.27"), node("b", "containerd://1.7.27"), node("c", "containerd://2.1.4")],
      "v1.35.3",
      "1.36",
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "high", object: { kind: "Node", name: "a" } });
    expect(findings[0].message).toContain("2 nodes (a, b)");
    expect(findings[0].evidence).toBe("status.nodeInfo.containerRuntimeVersion=containerd://1.7.27");
  });

  it("is a blocker when the upgrade crosses 1.38, and flags old CRI-O too", () => {
    const findings = run(
      [node("a", "containerd://1.6.33", "v1.37.1"), node("o", "cri-o://1.27.4", "v1.37.1")],
      "v1.37.1",
      "1.38",
    );
    expect(findings.map((f) => [f.object.name, f.severity])).toEqual([
      ["a", undefined],
      ["o", undefined],
    ]);
    expect(findings[1].message).toContain("CRI-O 1.27");
  });

  it("stays quiet up to 1.35 and for containerd 2 / CRI-O 1.28+", () => {
    expect(run([node("a", "containerd://1.7.27", "v1.34.1")], "v1.34.1", "1.35")).toEqual([]);
    expect(run([node("a", "containerd://2.0.0"), node("b", "cri-o://1.30.2")], "v1.35.0", "1.36")).toEqual([]);
  });

  it("uses kubelet_cri_losing_support where kubelet metrics were readable", () => {
    const metrics: KubeletMetrics = {
      byNode: new Map([["x", 'kubelet_cri_losing_support{version="1.38.0"} 1\n']]),
    };
    const findings = run([node("x", "remote://unknown")], "v1.35.0", "1.36", metrics);
    expect(findings).toHaveLength(1);
    expect(findings[0].evidence).toContain('kubelet_cri_losing_support{version="1.38.0"}=1');
  });

  it("says 'could not evaluate' when containerRuntimeVersion is missing", () => {
    const findings = run([node("a", undefined)], "v1.35.0", "1.36");
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "info" });
    expect(findings[0].message).toContain("Could not evaluate");
  });
});

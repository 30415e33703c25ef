import { describe, expect, it } from "vitest";
import { skew01KubeletSkew } from "../../src/checks/catalog/skew-01-kubelet-skew.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const node = (name: string, kubeletVersion?: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name },
  status: kubeletVersion === undefined ? {} : { nodeInfo: { kubeletVersion } },
});

describe("SKEW-01 kubelet skew", () => {
  it("flags kubelets more than three minors behind the target or newer than the server", async () => {
    const objects = [
      node("old", "v1.28.9"),
      node("edge", "v1.29.15-eks-abc"), // exactly 3 behind 1.32: allowed
      node("current", "v1.31.4"),
      node("ahead", "v1.32.0"),
      node("missing"),
      { apiVersion: "v1", kind: "Node" },
    ];
    const findings = await skew01KubeletSkew.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.31.4", target: "1.32" }),
    );
    expect(findings.map((f) => [f.object.name, f.severity ?? "blocker", f.evidence])).toEqual([
      ["old", "blocker", "status.nodeInfo.kubeletVersion=v1.28.9 (target 1.32)"],
      ["ahead", "blocker", "status.nodeInfo.kubeletVersion=v1.32.0 (server 1.31.4)"],
      ["missing", "info", "status.nodeInfo.kubeletVersion=(missing) on 2 nodes"],
    ]);
    expect(findings[2].message).toContain("kubelet version of nodes missing and (unnamed)");
    expect(findings[0].message).toContain("4 minors behind");
  });

  it("one finding per kubelet minor, listing its nodes", async () => {
    const objects = [
      node("pool-a-1", "v1.28.9"),
      node("pool-a-2", "v1.28.9"),
      node("pool-a-3", "v1.28.3"),
      node("legacy-1", "v1.27.16"),
      node("fine", "v1.31.4"),
    ];
    const findings = await skew01KubeletSkew.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.31.4", target: "1.32" }),
    );
    expect(findings).toHaveLength(2);
    expect(findings[0].object.name).toBe("pool-a-1");
    expect(findings[0].message).toBe(
      "3 nodes (pool-a-1, pool-a-2 and pool-a-3) run kubelet v1.28.9, v1.28.3, 4 minors behind the target 1.32; the skew policy allows 3.",
    );
    expect(findings[0].evidence).toBe("status.nodeInfo.kubeletVersion=v1.28.9, v1.28.3 on 3 nodes (target 1.32)");
    expect(findings[0].remediation).toContain("Upgrade nodes pool-a-1, pool-a-2 and pool-a-3 to at least kubelet 1.29");
    expect(findings[1].message).toBe(
      "Node legacy-1 runs kubelet v1.27.16, 5 minors behind the target 1.32; the skew policy allows 3.",
    );
  });

  it("allows only two minors for kubelets older than 1.25", async () => {
    const objects = [node("n124", "v1.24.17"), node("n125", "v1.25.16")];
    const findings = await skew01KubeletSkew.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.27.1", target: "1.28" }),
    );
    expect(findings.map((f) => f.object.name)).toEqual(["n124"]);
    expect(findings[0].message).toContain("allows 2");
  });
});

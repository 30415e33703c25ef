import { describe, expect, it } from "vitest";
import { node01NodesNotReady } from "../../src/checks/catalog/node-01-nodes-not-ready.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const node = (
  name: string,
  ready: string | undefined,
  opts: { cp?: "control-plane" | "master"; cordoned?: boolean } = {},
): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels: opts.cp ? { [`node-role.kubernetes.io/${opts.cp}`]: "" } : {} },
  spec: opts.cordoned ? { unschedulable: true } : {},
  status:
    ready === undefined
      ? {}
      : {
          conditions: [
            { type: "Ready", status: ready, reason: ready === "True" ? "KubeletReady" : "NodeStatusUnknown" },
          ],
        },
});
const run = (objects: KubeObject[]) =>
  node01NodesNotReady.evaluate(
    contextFromObjects(objects, { serverVersion: "v1.31.4", target: "1.32" }),
  ) as FindingInput[];

describe("NODE-01 nodes not Ready or cordoned", () => {
  it("is a blocker for a control plane node, high for a worker, high for a cordoned node, with counts", () => {
    const findings = run([
      node("cp-1", "Unknown", { cp: "control-plane" }),
      node("cp-2", "True", { cp: "master" }),
      node("w-1", "False"),
      node("w-2", "True", { cordoned: true }),
      node("w-3", "True"),
    ]);
    expect(findings.map((f) => [f.object.name, f.severity, f.evidence])).toEqual([
      ["cp-1", "blocker", "condition Ready=Unknown reason=NodeStatusUnknown"],
      ["w-1", "high", "condition Ready=False reason=NodeStatusUnknown"],
      ["w-2", "high", "spec.unschedulable=true"],
    ]);
    expect(findings[0].message).toBe("Control plane node cp-1 is not Ready (2 of 5 nodes not Ready).");
    expect(findings[0].object).toEqual({ apiVersion: "v1", kind: "Node", name: "cp-1" });
  });

  it("decoys: ready nodes are quiet; a node without conditions is 'could not evaluate' (info), odd objects do not throw", () => {
    const findings = run([
      node("ok", "True"),
      node("blank", undefined),
      { apiVersion: "v1", kind: "Node" },
      { apiVersion: "v1", kind: "Node", metadata: { name: "x" }, status: { conditions: "bad" } },
    ]);
    expect(findings.map((f) => [f.object.name, f.severity])).toEqual([
      ["blank", "info"],
      ["(unnamed)", "info"],
      ["x", "info"],
    ]);
    expect(findings[0].message).toContain("Could not evaluate node blank");
  });
});

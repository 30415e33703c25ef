import { describe, expect, it } from "vitest";
import { cp02InTreeCloudProvider } from "../../src/checks/catalog/cp-02-in-tree-cloud-provider.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const mirror = (component: string, node: string, args: string[]): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: `${component}-${node}`, namespace: "kube-system", labels: { component, tier: "control-plane" } },
  spec: { nodeName: node, containers: [{ name: component, command: [component, ...args] }] },
});
const run = (objects: KubeObject[], server: string, target: string) =>
  cp02InTreeCloudProvider.evaluate(contextFromObjects(objects, { serverVersion: server, target })) as FindingInput[];

describe("CP-02 in-tree cloud provider flags", () => {
  it("flags in-tree providers when crossing 1.31, HA members together", () => {
    const findings = run(
      [
        mirror("kube-controller-manager", "cp-1", [
          "--cloud-provider=aws",
          "--cloud-config=/etc/kubernetes/cloud.conf",
        ]),
        mirror("kube-controller-manager", "cp-2", [
          "--cloud-provider=aws",
          "--cloud-config=/etc/kubernetes/cloud.conf",
        ]),
      ],
      "v1.30.6",
      "1.31",
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain("kube-controller-manager on cp-1, cp-2");
    expect(findings[0].message).toContain('in-tree cloud provider "aws" is removed in 1.31');
    expect(findings[0].evidence).toBe("--cloud-provider=aws --cloud-config=/etc/kubernetes/cloud.conf");
  });

  it("flags kube-apiserver's --cloud-provider even when external, when crossing 1.33", () => {
    const findings = run([mirror("kube-apiserver", "cp-1", ["--cloud-provider=external"])], "v1.32.4", "1.33");
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain("flags are removed in 1.33");
  });

  it("accepts external providers on the controller manager and stays quiet when no gate is crossed", () => {
    expect(run([mirror("kube-controller-manager", "cp-1", ["--cloud-provider=external"])], "v1.32.4", "1.33")).toEqual(
      [],
    );
    expect(run([mirror("kube-apiserver", "cp-1", ["--cloud-provider=external"])], "v1.33.1", "1.34")).toEqual([]);
    expect(run([mirror("kube-scheduler", "cp-1", ["--cloud-provider=aws"])], "v1.30.6", "1.31")).toEqual([]);
  });
});

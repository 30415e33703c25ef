import { describe, expect, it } from "vitest";
import { crd02StoredVersionNotServed } from "../../src/checks/catalog/crd-02-stored-version-not-served.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const crd = (name: string, versions: unknown, storedVersions: unknown): KubeObject => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name },
  spec: { versions },
  status: { storedVersions },
});

describe("CRD-02 stored version no longer served", () => {
  it("flags stored versions that are unserved or gone", async () => {
    const objects = [
      crd(
        "unserved.example.io",
        [
          { name: "v1alpha1", served: false, storage: false },
          { name: "v1", served: true, storage: true },
        ],
        ["v1alpha1", "v1"],
      ),
      crd("gone.example.io", [{ name: "v1", served: true, storage: true }], ["v1beta1", "v1"]),
      // decoys
      crd(
        "fine.example.io",
        [
          { name: "v1beta1", served: true, storage: false },
          { name: "v1", served: true, storage: true },
        ],
        ["v1beta1", "v1"],
      ),
      crd("odd.example.io", "not a list", ["v1"]),
      crd("odd2.example.io", [null, { name: 3 }], [null, 7]),
      { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" },
    ];
    const findings = await crd02StoredVersionNotServed.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.0", target: "1.31" }),
    );
    expect(findings.map((f) => [f.object.name, f.evidence])).toEqual([
      ["unserved.example.io", "status.storedVersions contains v1alpha1; spec.versions[v1alpha1] served=false"],
      ["gone.example.io", "status.storedVersions contains v1beta1; spec.versions[v1beta1] absent"],
    ]);
    expect(findings[1].remediation).toContain('["v1"]');
    expect(crd02StoredVersionNotServed.severity).toBe("blocker");
  });
});

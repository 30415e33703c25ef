import { describe, expect, it } from "vitest";
import { api02LastAppliedRemovedApis } from "../../src/checks/catalog/api-02-last-applied-removed-apis.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const LA = "kubectl.kubernetes.io/last-applied-configuration";
function withLastApplied(apiVersion: string, kind: string, name: string, source: unknown): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      namespace: "apps",
      annotations: { [LA]: typeof source === "string" ? source : JSON.stringify(source) },
    },
  };
}

describe("API-02 last-applied manifest uses removed APIs", () => {
  it("flags live objects whose source manifest used a removed API, and says so", async () => {
    const objects = [
      withLastApplied("networking.k8s.io/v1", "Ingress", "web", { apiVersion: "extensions/v1beta1", kind: "Ingress" }),
      withLastApplied("autoscaling/v2", "HorizontalPodAutoscaler", "web", {
        apiVersion: "autoscaling/v2beta2",
        kind: "HorizontalPodAutoscaler",
      }),
      // decoys: current API, broken JSON, no annotation, removed only after the target
      withLastApplied("apps/v1", "Deployment", "ok", { apiVersion: "apps/v1", kind: "Deployment" }),
      withLastApplied("apps/v1", "Deployment", "junk", "{not json"),
      withLastApplied("apps/v1", "Deployment", "null", "null"),
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "plain" } },
      { apiVersion: "apps/v1", kind: "StatefulSet" },
    ];
    const findings = await api02LastAppliedRemovedApis.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.24.1", target: "1.25" }),
    );
    expect(findings.map((f) => [f.object.kind, f.object.apiVersion, f.object.name, f.evidence])).toEqual([
      ["Ingress", "networking.k8s.io/v1", "web", `annotation ${LA}: apiVersion=extensions/v1beta1 kind=Ingress`],
    ]);
    expect(findings[0].message).toContain("in its source manifest");
    expect(findings[0].remediation).toContain("networking.k8s.io/v1");

    const at126 = await api02LastAppliedRemovedApis.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.25.1", target: "1.26" }),
    );
    expect(at126.map((f) => f.object.kind)).toEqual(["Ingress", "HorizontalPodAutoscaler"]);
    expect(api02LastAppliedRemovedApis.severity).toBe("high");
  });
});

import { describe, expect, it } from "vitest";
import { releaseAndVersionChecks } from "../../src/checks/catalog/releaseAndVersionChecks.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { SEVERITIES } from "../../src/checks/types.ts";
import { RESOURCES } from "../../src/kube/resources.ts";

describe("releaseAndVersionChecks", () => {
  it("lists the 15 checks in id order with complete declarations", () => {
    const ids = releaseAndVersionChecks.map((c) => c.id);
    expect(ids).toEqual([
      "API-01",
      "API-02",
      "API-03",
      "API-04",
      "CRD-01",
      "CRD-02",
      "HELM-01",
      "HELM-02",
      "HELM-03",
      "HELM-04",
      "SKEW-01",
      "SKEW-02",
      "SKEW-03",
      "SKEW-04",
      "VER-01",
    ]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of releaseAndVersionChecks) {
      expect(SEVERITIES).toContain(c.severity);
      expect(c.title.length).toBeGreaterThan(10);
      expect(c.remediation.length).toBeGreaterThan(20);
      expect(Array.isArray(c.reads)).toBe(true);
      for (const key of c.reads) expect(Object.keys(RESOURCES)).toContain(key);
    }
  });

  it("never throws on odd objects of every kind they read", async () => {
    const odd = Object.values(RESOURCES).flatMap((def) => [
      { apiVersion: def.apiVersion, kind: def.kind },
      {
        apiVersion: def.apiVersion,
        kind: def.kind,
        metadata: { name: "x", labels: { owner: "helm", name: "r", status: "deployed", version: "1" } },
        spec: 5,
        status: "?",
        data: { release: 12 },
      },
      {
        apiVersion: def.apiVersion,
        kind: def.kind,
        metadata: {
          name: "y",
          namespace: "kube-system",
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": "[" },
        },
        spec: { template: null, versions: [{}] },
        status: { storedVersions: "v1", nodeInfo: 3 },
      },
    ]);
    const ctx = contextFromObjects(odd, {
      serverVersion: "v1.30.0",
      target: "1.31",
      apiServerMetrics: "apiserver_requested_deprecated_apis{ 1\n",
    });
    for (const c of releaseAndVersionChecks) {
      const findings = await c.evaluate(ctx);
      for (const f of findings) {
        expect(f.object.name, c.id).toBeTruthy();
        expect(f.message, c.id).toBeTruthy();
      }
    }
  });
});

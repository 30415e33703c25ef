import { describe, expect, it } from "vitest";
import { helm04ManyRevisions } from "../../src/checks/catalog/helm-04-many-revisions.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

// Labels are all HELM-04 reads, so these fixtures skip the (irrelevant) payload.
const rev = (name: string, revision: number, status: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  type: "helm.sh/release.v1",
  metadata: {
    name: `sh.helm.release.v1.${name}.v${revision}`,
    namespace: "ns",
    labels: { owner: "helm", name, status, version: String(revision) },
  },
});

describe("HELM-04 many revisions", () => {
  it("flags more than 20 revisions, not exactly 20", async () => {
    const many = Array.from({ length: 21 }, (_, i) => rev("many", i + 5, i === 20 ? "deployed" : "superseded"));
    const twenty = Array.from({ length: 20 }, (_, i) => rev("twenty", i + 1, i === 19 ? "deployed" : "superseded"));
    const findings = await helm04ManyRevisions.evaluate(
      contextFromObjects([...many, ...twenty], { serverVersion: "v1.30.0", target: "1.31" }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].object.name).toBe("sh.helm.release.v1.many.v25");
    expect(findings[0].evidence).toBe("21 Secrets with owner=helm,name=many in ns (revisions 5..25)");
    expect(helm04ManyRevisions.severity).toBe("low");
  });
});

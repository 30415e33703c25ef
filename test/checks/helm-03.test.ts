import { describe, expect, it } from "vitest";
import { helm03MultipleDeployed } from "../../src/checks/catalog/helm-03-multiple-deployed.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { helmReleaseSecret } from "../../src/helm/release.ts";

const rev = (name: string, revision: number, status: string) =>
  helmReleaseSecret({ name, namespace: "ns", revision, status, chart: { name, version: "1.0.0" } });

describe("HELM-03 several deployed revisions", () => {
  it("flags a release with two deployed revisions, not one with one", async () => {
    const objects = [
      rev("a", 1, "deployed"),
      rev("a", 2, "superseded"),
      rev("a", 3, "deployed"),
      rev("b", 1, "superseded"),
      rev("b", 2, "deployed"),
    ];
    const findings = await helm03MultipleDeployed.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.0", target: "1.31" }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].object.name).toBe("sh.helm.release.v1.a.v3");
    expect(findings[0].evidence).toBe("label status=deployed on revisions 1, 3");
    expect(findings[0].remediation).toContain("sh.helm.release.v1.a.v1");
    expect(helm03MultipleDeployed.severity).toBe("medium");
  });
});

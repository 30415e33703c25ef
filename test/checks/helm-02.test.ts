import { describe, expect, it } from "vitest";
import { helm02FailedRelease } from "../../src/checks/catalog/helm-02-failed-release.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { helmReleaseSecret } from "../../src/helm/release.ts";

const rev = (name: string, revision: number, status: string) =>
  helmReleaseSecret({ name, namespace: "botkube", revision, status, chart: "botkube-v1.10.0" });

describe("HELM-02 failed release", () => {
  it("flags a failed newest revision only", async () => {
    const objects = [
      rev("botkube", 1, "deployed"),
      rev("botkube", 2, "failed"),
      // decoy: failed earlier, fixed since
      rev("ok", 1, "failed"),
      rev("ok", 2, "deployed"),
    ];
    const findings = await helm02FailedRelease.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.0", target: "1.31" }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].object.name).toBe("sh.helm.release.v1.botkube.v2");
    expect(findings[0].evidence).toBe("label status=failed on revision 2 (newest)");
    expect(findings[0].message).toContain("failed at revision 2 (chart botkube-v1.10.0);");
    expect(findings[0].remediation).toContain("helm rollback botkube 1 -n botkube");
    expect(helm02FailedRelease.severity).toBe("high");
  });
});

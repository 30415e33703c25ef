import { describe, expect, it } from "vitest";
import { helm01PendingRelease } from "../../src/checks/catalog/helm-01-pending-release.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { helmReleaseSecret } from "../../src/helm/release.ts";

const rev = (name: string, revision: number, status: string) =>
  helmReleaseSecret({ name, namespace: "cattle-fleet-system", revision, status, chart: "fleet-106.0.0+up0.12.0-rc.3" });

describe("HELM-01 pending release", () => {
  it("flags a newest revision in pending-upgrade (INCIDENTS case 3) and suggests the rollback revision", async () => {
    const objects = [
      rev("fleet", 1, "superseded"),
      rev("fleet", 2, "deployed"),
      rev("fleet", 3, "pending-upgrade"),
      rev("fresh", 1, "pending-install"),
      // decoy: an old pending revision under a newer deployed one
      rev("healed", 4, "pending-rollback"),
      rev("healed", 5, "deployed"),
      // decoy: revision 10 sorts after 9 numerically, not as a string
      rev("numeric", 9, "pending-upgrade"),
      rev("numeric", 10, "deployed"),
      { apiVersion: "v1", kind: "Secret", metadata: { labels: { owner: "helm", status: "pending-upgrade" } } },
    ];
    const findings = await helm01PendingRelease.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.0", target: "1.31" }),
    );
    expect(findings.map((f) => [f.object.name, f.evidence])).toEqual([
      ["sh.helm.release.v1.fleet.v3", "label status=pending-upgrade on revision 3 (newest)"],
      ["sh.helm.release.v1.fresh.v1", "label status=pending-install on revision 1 (newest)"],
    ]);
    expect(findings[0].object).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      namespace: "cattle-fleet-system",
      name: "sh.helm.release.v1.fleet.v3",
    });
    expect(findings[0].message).toContain("at revision 3 (chart fleet-106.0.0+up0.12.0-rc.3);");
    expect(findings[0].remediation).toContain("helm rollback fleet 2 -n cattle-fleet-system");
    expect(findings[1].remediation).toContain("helm uninstall fresh");
    expect(helm01PendingRelease.severity).toBe("blocker");
  });
});

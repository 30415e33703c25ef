import { describe, expect, it } from "vitest";
import { api04ChartKubeVersion } from "../../src/checks/catalog/api-04-chart-kube-version.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { helmReleaseSecret } from "../../src/helm/release.ts";

const rel = (name: string, kubeVersion: string | undefined, status = "deployed", revision = 1) =>
  helmReleaseSecret({ name, namespace: "ns", revision, status, chart: { name, version: "2.0.0" }, kubeVersion });

describe("API-04 chart kubeVersion excludes the target", () => {
  it("flags charts whose constraint excludes the target and keeps decoys quiet", async () => {
    const objects = [
      rel("capped", ">=1.22.0-0 <1.32.0-0"),
      rel("fits", ">=1.22.0-0 <1.33.0-0"),
      rel("comma", ">= 1.20.0-0, < 1.31.0-0"),
      rel("open", ">=1.19.0-0"),
      rel("none", undefined),
      rel("garbage", "not a range ~~ ??"),
      // an older deployed revision is not the one that counts
      rel("history", "<1.20.0", "superseded", 1),
      rel("history", ">=1.20.0-0", "deployed", 2),
    ];
    const findings = await api04ChartKubeVersion.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.31.4", target: "1.32" }),
    );
    expect(findings.map((f) => [f.object.name, f.severity ?? api04ChartKubeVersion.severity, f.evidence])).toEqual([
      ["sh.helm.release.v1.capped.v1", "high", "chart.metadata.kubeVersion=>=1.22.0-0 <1.32.0-0 (target 1.32.0)"],
      ["sh.helm.release.v1.comma.v1", "high", "chart.metadata.kubeVersion=>= 1.20.0-0, < 1.31.0-0 (target 1.32.0)"],
      ["sh.helm.release.v1.garbage.v1", "info", "chart.metadata.kubeVersion=not a range ~~ ??"],
    ]);
    expect(findings[0].message).toContain("capped-2.0.0");
  });
});

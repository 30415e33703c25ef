// API-04: a deployed chart declares (chart.metadata.kubeVersion) that it does not support the
// target. Helm refuses to upgrade or roll back such a release on the new cluster ("chart
// requires kubeVersion ... which is incompatible with Kubernetes ..."), which is the worst
// moment to find out.
import semver from "semver";
import { decodeReleaseSecret, groupReleases } from "../../helm/release.ts";
import { objectRef } from "../../kube/resources.ts";
import { parseKubeVersion } from "../../versions/kube.ts";
import type { Check, FindingInput } from "../types.ts";

/** Helm (Masterminds) constraint syntax to node-semver: "," means AND, as a space does. */
export function helmConstraintToRange(constraint: string): string {
  return constraint.replace(/,/g, " ").trim();
}

export const api04ChartKubeVersion: Check = {
  id: "API-04",
  severity: "high",
  title: "Deployed chart does not support the target Kubernetes version",
  remediation:
    "Upgrade the release to a chart version whose kubeVersion constraint includes the target before upgrading the cluster.",
  reads: ["helmReleases"],
  evaluate(ctx) {
    const target = parseKubeVersion(ctx.targetFull) ?? parseKubeVersion(ctx.target);
    if (!target) return [];
    // Helm checks the server's full version; with only MAJOR.MINOR the first patch stands in.
    const targetVersion = `${target.major}.${target.minor}.${target.patch ?? 0}`;
    const findings: FindingInput[] = [];
    for (const group of groupReleases(ctx.objects("helmReleases")).groups) {
      const rev = group.newestDeployed;
      if (!rev) continue;
      const decoded = decodeReleaseSecret(rev.secret);
      if (!decoded.ok) continue; // API-01 reports undecodable releases once.
      const constraint = decoded.release.chart.kubeVersion;
      if (!constraint) continue;
      const chart = `${decoded.release.chart.name}-${decoded.release.chart.version}`;
      let range: string | null = null;
      try {
        range = semver.validRange(helmConstraintToRange(constraint), { includePrerelease: true });
      } catch {
        range = null;
      }
      if (!range) {
        findings.push({
          severity: "info",
          object: objectRef(rev.secret),
          message: `Could not evaluate the kubeVersion constraint of Helm release ${group.namespace}/${group.name} (chart ${chart}): "${constraint}" is not a version range.`,
          evidence: `chart.metadata.kubeVersion=${constraint}`,
          remediation: "Check the chart's Chart.yaml kubeVersion field by hand.",
        });
        continue;
      }
      if (semver.satisfies(targetVersion, range, { includePrerelease: true })) continue;
      findings.push({
        object: objectRef(rev.secret),
        message: `Helm release ${group.namespace}/${group.name} runs chart ${chart}, which requires Kubernetes "${constraint}"; the target ${ctx.targetFull} is outside it, so Helm will refuse to upgrade or roll back this release after the cluster upgrade.`,
        evidence: `chart.metadata.kubeVersion=${constraint} (target ${targetVersion})`,
        remediation: `Upgrade release ${group.name} to a chart version of ${decoded.release.chart.name} that supports Kubernetes ${ctx.target} before upgrading the cluster.`,
      });
    }
    return findings;
  },
};

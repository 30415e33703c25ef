// HELM-02: the last operation on a release failed, so the cluster holds a mix of old and new
// objects (INCIDENTS case 1: "the CLI says failed, the cluster holds a mix").
import { chartSuffix, groupReleases } from "../../helm/release.ts";
import { objectRef } from "../../kube/resources.ts";
import type { Check, FindingInput } from "../types.ts";

export const helm02FailedRelease: Check = {
  id: "HELM-02",
  severity: "high",
  title: "Helm release's newest revision failed",
  remediation:
    "Find why the last upgrade failed (`helm history`, pod events and logs), keep the failed state for diagnosis, then fix the values and upgrade again or roll back to the last deployed revision before upgrading the cluster.",
  reads: ["helmReleases"],
  evaluate(ctx) {
    const findings: FindingInput[] = [];
    for (const group of groupReleases(ctx.objects("helmReleases")).groups) {
      const { newest } = group;
      if (newest.labels.status !== "failed") continue;
      const last = group.newestDeployed;
      findings.push({
        object: objectRef(newest.secret),
        message: `Helm release ${group.namespace}/${group.name} failed at revision ${newest.labels.revision}${chartSuffix(newest.secret)}; its objects may be a mix of the old and the new chart.`,
        evidence: `label status=failed on revision ${newest.labels.revision} (newest)`,
        remediation: last
          ? `Inspect \`helm history ${group.name} -n ${group.namespace}\`, then fix and upgrade again or run \`helm rollback ${group.name} ${last.labels.revision} -n ${group.namespace}\`.`
          : `Inspect \`helm history ${group.name} -n ${group.namespace}\`; no revision was ever deployed, so fix the values and install again.`,
      });
    }
    return findings;
  },
};

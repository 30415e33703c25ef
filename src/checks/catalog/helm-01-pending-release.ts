// HELM-01: the newest revision of a release is stuck in a pending state. Helm refuses any
// further upgrade ("another operation is in progress") and upgrade tooling that waits for the
// release hangs (INCIDENTS case 3). Found from labels only; only a flagged revision is decoded, for
// the chart its message names (as `helm list -a` shows it).
import { chartSuffix, groupReleases, PENDING_STATUSES } from "../../helm/release.ts";
import { objectRef } from "../../kube/resources.ts";
import type { Check, FindingInput } from "../types.ts";

const PENDING = new Set<string>(PENDING_STATUSES);

export const helm01PendingRelease: Check = {
  id: "HELM-01",
  severity: "blocker",
  title: "Helm release is stuck in a pending state",
  remediation:
    "Roll back to the last deployed revision (`helm rollback <release> <revision> -n <namespace>`), or find the right chart version and values and upgrade the release by hand; never upgrade the cluster with a release mid-operation.",
  reads: ["helmReleases"],
  evaluate(ctx) {
    const findings: FindingInput[] = [];
    for (const group of groupReleases(ctx.objects("helmReleases")).groups) {
      const { newest } = group;
      if (!PENDING.has(newest.labels.status)) continue;
      const last = group.newestDeployed;
      findings.push({
        object: objectRef(newest.secret),
        message: `Helm release ${group.namespace}/${group.name} is stuck in ${newest.labels.status} at revision ${newest.labels.revision}${chartSuffix(newest.secret)}; Helm will refuse further upgrades of it and upgrade tooling waiting on it will hang.`,
        evidence: `label status=${newest.labels.status} on revision ${newest.labels.revision} (newest)`,
        remediation: last
          ? `Run \`helm rollback ${group.name} ${last.labels.revision} -n ${group.namespace}\` (revision ${last.labels.revision} is the last deployed), or upgrade it by hand with the right chart version and values.`
          : `No revision was ever deployed: run \`helm uninstall ${group.name} -n ${group.namespace}\` and install again, or find the right chart and values and upgrade it by hand.`,
      });
    }
    return findings;
  },
};

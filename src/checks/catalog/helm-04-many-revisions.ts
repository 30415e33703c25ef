// HELM-04: many stored revisions. Each is a Secret holding the whole chart; hundreds slow every
// Helm operation and etcd, and usually mean --history-max was never set.
import { groupReleases } from "../../helm/release.ts";
import { objectRef } from "../../kube/resources.ts";
import type { Check, FindingInput } from "../types.ts";

export const MAX_REVISIONS = 20;

export const helm04ManyRevisions: Check = {
  id: "HELM-04",
  severity: "low",
  title: "Helm release keeps more than 20 revisions",
  remediation:
    "Set `--history-max 10` (or HELM_MAX_HISTORY) on upgrades; Helm prunes old revisions on the next upgrade.",
  reads: ["helmReleases"],
  evaluate(ctx) {
    const findings: FindingInput[] = [];
    for (const group of groupReleases(ctx.objects("helmReleases")).groups) {
      const n = group.revisions.length;
      if (n <= MAX_REVISIONS) continue;
      findings.push({
        object: objectRef(group.newest.secret),
        message: `Helm release ${group.namespace}/${group.name} keeps ${n} revisions (more than ${MAX_REVISIONS}); each holds the full chart in a Secret, slowing Helm and etcd.`,
        evidence: `${n} Secrets with owner=helm,name=${group.name} in ${group.namespace} (revisions ${group.revisions[0].labels.revision}..${group.newest.labels.revision})`,
        remediation: `Upgrade ${group.name} with \`--history-max 10\` so Helm prunes old revisions.`,
      });
    }
    return findings;
  },
};

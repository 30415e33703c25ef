// HELM-03: more than one revision claims `deployed`. Helm keeps exactly one; more means an
// interrupted operation left history inconsistent, and Helm may diff the next upgrade against
// the wrong revision.
import { groupReleases } from "../../helm/release.ts";
import { objectRef } from "../../kube/resources.ts";
import type { Check, FindingInput } from "../types.ts";

export const helm03MultipleDeployed: Check = {
  id: "HELM-03",
  severity: "medium",
  title: "Helm release has more than one deployed revision",
  remediation:
    "Mark the older revisions superseded (label the release Secrets `status=superseded` and update their stored status), or run a fresh `helm upgrade` so Helm supersedes them, before upgrading the cluster.",
  reads: ["helmReleases"],
  evaluate(ctx) {
    const findings: FindingInput[] = [];
    for (const group of groupReleases(ctx.objects("helmReleases")).groups) {
      if (group.deployed.length < 2) continue;
      const revs = group.deployed.map((r) => r.labels.revision);
      const newest = group.deployed[group.deployed.length - 1];
      const older = group.deployed.slice(0, -1).map((r) => r.secret.metadata?.name ?? `v${r.labels.revision}`);
      findings.push({
        object: objectRef(newest.secret),
        message: `Helm release ${group.namespace}/${group.name} has ${revs.length} revisions marked deployed (${revs.join(", ")}); Helm expects one, so its next upgrade may compare against the wrong revision.`,
        evidence: `label status=deployed on revisions ${revs.join(", ")}`,
        remediation: `Mark ${older.join(", ")} as superseded (\`kubectl label secret -n ${group.namespace} <secret> status=superseded --overwrite\`), or run \`helm upgrade\` on ${group.name} so Helm supersedes them.`,
      });
    }
    return findings;
  },
};

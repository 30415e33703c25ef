// API-01: the newest deployed revision of a Helm release renders an object whose apiVersion the
// target no longer serves. `helm upgrade` diffs against that stored manifest, so even when the
// live object was migrated, the upgrade fails with "unable to build kubernetes objects from
// current release manifest" until the release is fixed.
import { decodeReleaseSecret, groupReleases, manifestObjects } from "../../helm/release.ts";
import { objectRef } from "../../kube/resources.ts";
import { removedAtOrBefore, replacementAt } from "../../versions/deprecations.ts";
import { parseKubeVersion } from "../../versions/kube.ts";
import type { Check, FindingInput } from "../types.ts";

export const api01HelmRemovedApis: Check = {
  id: "API-01",
  severity: "blocker",
  title: "Helm release manifest uses an API version removed in the target",
  remediation:
    "Upgrade the release to a chart version that uses the current API versions before upgrading the cluster; if the cluster already dropped the API, rewrite the stored manifest with the helm-mapkubeapis plugin (`helm mapkubeapis <release> -n <namespace>`).",
  reads: ["helmReleases"],
  evaluate(ctx) {
    const target = parseKubeVersion(ctx.targetFull) ?? parseKubeVersion(ctx.target);
    if (!target) return [];
    const findings: FindingInput[] = [];
    for (const group of groupReleases(ctx.objects("helmReleases")).groups) {
      const rev = group.newestDeployed;
      if (!rev) continue;
      const decoded = decodeReleaseSecret(rev.secret);
      if (!decoded.ok) {
        findings.push({
          severity: "info",
          object: objectRef(rev.secret),
          message: `Could not evaluate Helm release ${group.namespace}/${group.name} revision ${rev.labels.revision}: ${decoded.error}.`,
          evidence: `data.release: ${decoded.error}`,
          remediation: "Check that the Secret is a Helm v3 release (`helm history` should list it).",
        });
        continue;
      }
      for (const obj of manifestObjects(decoded.release.manifest)) {
        const dep = removedAtOrBefore(obj.apiVersion, obj.kind, target);
        if (!dep) continue;
        // The successor served at the target (resource.k8s.io/v1beta1 on 1.32, v1 from 1.34).
        const successor = replacementAt(dep, target);
        const replacement = successor ? `use ${successor}` : (dep.note ?? "it has no replacement");
        findings.push({
          object: {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            namespace: obj.namespace ?? group.namespace,
            name: obj.name,
          },
          message: `Helm release ${group.namespace}/${group.name} (revision ${rev.labels.revision}, chart ${decoded.release.chart.name}-${decoded.release.chart.version}) deploys ${obj.kind} ${obj.name} as ${obj.apiVersion}, which Kubernetes ${dep.removedIn} no longer serves; ${replacement}.`,
          evidence: `release ${group.name} revision ${rev.labels.revision} manifest: apiVersion=${obj.apiVersion} kind=${obj.kind}`,
          remediation: `Upgrade release ${group.name} to a chart version that renders ${obj.kind} as ${successor ?? "a supported API"} before the cluster upgrade, or run \`helm mapkubeapis ${group.name} -n ${group.namespace}\` to rewrite the stored manifest.`,
        });
      }
    }
    return findings;
  },
};

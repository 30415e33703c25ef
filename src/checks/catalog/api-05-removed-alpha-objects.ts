// API-05: objects exist of an alpha API version that a release the upgrade crosses removes, and
// the release notes say they must be deleted before the upgrade. Such a version was the only (so
// the storage) version of its kind; the new API server cannot decode what etcd holds for it, and
// the replacement version does not see those objects.
//
// SOURCES (the rows of src/versions/deprecations.ts with `deleteBeforeUpgrade`):
// - storagemigration.k8s.io/v1alpha1 StorageVersionMigration, removed in 1.35:
//   kubernetes/kubernetes#134784 "users must remove any v1alpha1 resources prior to upgrade".
// - scheduling.k8s.io/v1alpha2 Workload and PodGroup, removed in 1.37: kubernetes/kubernetes#140184
//   "remove all v1alpha2 objects from the api-server before upgrading from 1.36 to 1.37".
// - coordination.k8s.io/v1alpha1 LeaseCandidate, removed in 1.32: kubernetes/kubernetes#127857
//   (the review asks the release note to say objects must be deleted before upgrade).
// The objects are listed in the alpha version itself: a cluster that does not serve it (the
// default for alphas, or a cluster already past the removal) answers 404, so nothing is found.
import { type KubeObject, objectRef, RESOURCES, type ResourceKey } from "../../kube/resources.ts";
import { DEPRECATIONS, type Deprecation, formatApiVersion } from "../../versions/deprecations.ts";
import { formatMinor, type KubeVersion, minorAtOrBefore, parseKubeVersion } from "../../versions/kube.ts";
import type { Check, FindingInput } from "../types.ts";

const READS = [
  "storageVersionMigrationsV1alpha1",
  "workloadsV1alpha2",
  "podGroupsV1alpha2",
  "leaseCandidatesV1alpha1",
] as const satisfies readonly ResourceKey[];

/** Each resource key with the removal row of its version and kind. */
const WATCHED: Array<{ key: ResourceKey; removal: Deprecation }> = READS.map((key) => {
  const def = RESOURCES[key];
  const removal = DEPRECATIONS.find(
    (d) => formatApiVersion(d) === def.apiVersion && d.kind === def.kind && d.deleteBeforeUpgrade,
  );
  if (!removal) throw new Error(`API-05: ${def.apiVersion} ${def.kind} has no deleteBeforeUpgrade row`);
  return { key, removal };
});

/** The upgrade crosses the removal: current < removedIn <= target (an unknown current counts as before). */
function crosses(removedIn: string, current: KubeVersion | undefined, target: KubeVersion): boolean {
  const removed = parseKubeVersion(removedIn)!;
  return minorAtOrBefore(removed, target) && (current === undefined || !minorAtOrBefore(removed, current));
}

const SHOWN = 5;

function named(o: KubeObject): string {
  const ref = objectRef(o);
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

export const api05RemovedAlphaObjects: Check = {
  id: "API-05",
  severity: "blocker",
  title: "Objects of an alpha API version removed in the target must be deleted first",
  remediation:
    "Delete these objects before upgrading (export them first if you need them, e.g. `kubectl get <resource>.<version>.<group> -A -o yaml`), then recreate them in the replacement version once the cluster runs the target.",
  reads: READS,
  evaluate(ctx) {
    const target = parseKubeVersion(ctx.targetFull) ?? parseKubeVersion(ctx.target);
    if (!target) return [];
    const current = parseKubeVersion(ctx.serverVersion);
    const findings: FindingInput[] = [];
    for (const { key, removal } of WATCHED) {
      if (!crosses(removal.removedIn, current, target)) continue;
      const objects = ctx.objects(key);
      if (objects.length === 0) continue;
      // One finding per kind: the problem is "these objects exist", whatever their number.
      const def = RESOURCES[key];
      const names = objects.slice(0, SHOWN).map(named).join(", ");
      const more = objects.length > SHOWN ? ` and ${objects.length - SHOWN} more` : "";
      const first = objectRef(objects[0], def);
      const successor = removal.replacement ? ` Recreate them as ${removal.replacement} after the upgrade.` : "";
      findings.push({
        object: { apiVersion: def.apiVersion, kind: def.kind, namespace: first.namespace, name: first.name },
        message: `${objects.length} ${def.kind} object${objects.length === 1 ? "" : "s"} exist in ${def.apiVersion} (${names}${more}), which Kubernetes ${removal.removedIn} removes; the release notes require deleting them before upgrading${current ? ` from ${formatMinor(current)}` : ""}.`,
        evidence: `list ${def.plural}.${def.apiVersion}: ${objects.length} object${objects.length === 1 ? "" : "s"}; ${removal.deleteBeforeUpgrade}`,
        remediation: `Delete every ${def.kind} in ${def.apiVersion} (\`kubectl delete ${def.plural}.${def.apiVersion.split("/")[1]}.${def.apiVersion.split("/")[0]} --all${def.namespaced ? " -A" : ""}\`) before upgrading to ${removal.removedIn}, exporting any you need first.${successor}`,
      });
    }
    return findings;
  },
};

// API-02: a live object was last applied from a manifest using an API version the target no
// longer serves. The API server converted it on the way in, so the live object looks fine, but
// the next `kubectl apply` of that same manifest (a CI pipeline, a GitOps repo) fails after
// the upgrade.
import type { KubeObject, ResourceKey } from "../../kube/resources.ts";
import { objectRef } from "../../kube/resources.ts";
import { removedAtOrBefore, replacementAt } from "../../versions/deprecations.ts";
import { parseKubeVersion } from "../../versions/kube.ts";
import type { Check, FindingInput } from "../types.ts";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

// Every kind the removal table names that people `kubectl apply` and that can still be listed in
// a served version, plus Services and ConfigMaps (the most applied kinds of all). Secrets are left
// out on purpose (their annotation would hold the Secret's payload, which Upshift never reads).
// The table's other kinds are not read: objects made by controllers or the kubelet (Leases,
// EndpointSlices' siblings IPAddress and ResourceSlice, CSINodes, VolumeAttachments,
// CSIStorageCapacities, ControllerRevisions, Events, CSRs, PodCertificateRequests,
// LeaseCandidates, Workloads/PodGroups), review requests that are never stored, and kinds with no
// served successor left to list (PodSecurityPolicy, PodPreset, AuditSink, classic DRA). Listing
// EndpointSlices is the costly one on big clusters (one or more per Service); it is paged like the rest.
export const API02_READS = [
  "deployments",
  "statefulsets",
  "daemonsets",
  "replicasets",
  "services",
  "configmaps",
  "ingresses",
  "ingressclasses",
  "networkpolicies",
  "servicecidrs",
  "hpas",
  "pdbs",
  "crds",
  "cronjobs",
  "roles",
  "rolebindings",
  "clusterroles",
  "clusterrolebindings",
  "mutatingwebhooks",
  "validatingwebhooks",
  "validatingpolicies",
  "validatingpolicybindings",
  "mutatingpolicies",
  "mutatingpolicybindings",
  "apiservices",
  "storageclasses",
  "csidrivers",
  "volumeattributesclasses",
  "priorityclasses",
  "runtimeclasses",
  "endpointslices",
  "flowschemas",
  "prioritylevels",
  "deviceclasses",
  "resourceclaims",
  "resourceclaimtemplates",
] as const satisfies readonly ResourceKey[];

function sourceApi(o: KubeObject): { apiVersion: string; kind: string } | undefined {
  const text = o?.metadata?.annotations?.[LAST_APPLIED];
  if (typeof text !== "string" || text === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object") return undefined;
  const { apiVersion, kind } = parsed as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  return { apiVersion, kind };
}

export const api02LastAppliedRemovedApis: Check = {
  id: "API-02",
  severity: "high",
  title: "Object was applied from a manifest using an API version removed in the target",
  remediation:
    "Update the source manifest (repository, pipeline or GitOps source) to the replacement API version and re-apply it before upgrading.",
  reads: API02_READS,
  evaluate(ctx) {
    const target = parseKubeVersion(ctx.targetFull) ?? parseKubeVersion(ctx.target);
    if (!target) return [];
    const findings: FindingInput[] = [];
    for (const key of API02_READS) {
      for (const o of ctx.objects(key)) {
        const src = sourceApi(o);
        if (!src) continue;
        const dep = removedAtOrBefore(src.apiVersion, src.kind, target);
        if (!dep) continue;
        const ref = objectRef(o);
        const replacement = replacementAt(dep, target);
        findings.push({
          object: ref,
          message: `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name} was last applied from a manifest that uses ${src.apiVersion} in its source manifest; Kubernetes ${dep.removedIn} no longer serves it, so re-applying that manifest will fail after the upgrade.`,
          evidence: `annotation ${LAST_APPLIED}: apiVersion=${src.apiVersion} kind=${src.kind}`,
          remediation: replacement
            ? `Change the source manifest of ${ref.kind} ${ref.name} to apiVersion ${replacement}${dep.note ? ` (${dep.note})` : ""} and re-apply it.`
            : `Remove ${ref.kind} ${ref.name} from its source manifest: ${dep.note ?? "the API has no replacement"}.`,
        });
      }
    }
    return findings;
  },
};

// The resources a real kube-apiserver serves that Upshift and its tests touch (GA versions, served
// whatever --kube-version says). Custom resources (from CRDs), the alpha versions below and
// unknown kinds met in fixtures are added at run time by the registry.

export interface ResourceInfo {
  /** "" for the core group. */
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Whether a /status subresource exists (writes to the main resource then keep the old status). */
  statusSubresource: boolean;
  verbs: string[];
}

export const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function r(
  groupVersion: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: { shortNames?: string[]; status?: boolean; categories?: string[] } = {},
): ResourceInfo {
  const [group, version] = groupVersion.includes("/") ? groupVersion.split("/") : ["", groupVersion];
  return {
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: extra.shortNames,
    categories: extra.categories,
    statusSubresource: extra.status ?? false,
    verbs: ALL_VERBS,
  };
}

export const BUILTIN_RESOURCES: ResourceInfo[] = [
  r("v1", "Pod", "pods", true, { shortNames: ["po"], status: true, categories: ["all"] }),
  r("v1", "Service", "services", true, { shortNames: ["svc"], status: true, categories: ["all"] }),
  r("v1", "ConfigMap", "configmaps", true, { shortNames: ["cm"] }),
  r("v1", "Secret", "secrets", true),
  r("v1", "Node", "nodes", false, { shortNames: ["no"], status: true }),
  r("v1", "Namespace", "namespaces", false, { shortNames: ["ns"], status: true }),
  r("v1", "Event", "events", true, { shortNames: ["ev"] }),
  r("v1", "ServiceAccount", "serviceaccounts", true, { shortNames: ["sa"] }),
  r("v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, { shortNames: ["pvc"], status: true }),
  r("v1", "PersistentVolume", "persistentvolumes", false, { shortNames: ["pv"], status: true }),
  r("v1", "Endpoints", "endpoints", true, { shortNames: ["ep"] }),
  r("apps/v1", "Deployment", "deployments", true, { shortNames: ["deploy"], status: true, categories: ["all"] }),
  r("apps/v1", "StatefulSet", "statefulsets", true, { shortNames: ["sts"], status: true, categories: ["all"] }),
  r("apps/v1", "DaemonSet", "daemonsets", true, { shortNames: ["ds"], status: true, categories: ["all"] }),
  r("apps/v1", "ReplicaSet", "replicasets", true, { shortNames: ["rs"], status: true, categories: ["all"] }),
  r("batch/v1", "Job", "jobs", true, { status: true, categories: ["all"] }),
  r("batch/v1", "CronJob", "cronjobs", true, { shortNames: ["cj"], status: true, categories: ["all"] }),
  r("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true, { shortNames: ["pdb"], status: true }),
  r("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false, {
    shortNames: ["crd", "crds"],
    status: true,
  }),
  r("networking.k8s.io/v1", "Ingress", "ingresses", true, { shortNames: ["ing"], status: true }),
  r("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", true, { shortNames: ["netpol"] }),
  r("autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, {
    shortNames: ["hpa"],
    status: true,
    categories: ["all"],
  }),
  r("rbac.authorization.k8s.io/v1", "Role", "roles", true),
  r("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true),
  r("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false),
  r("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false),
  r("storage.k8s.io/v1", "StorageClass", "storageclasses", false, { shortNames: ["sc"] }),
  r("coordination.k8s.io/v1", "Lease", "leases", true),
  r("events.k8s.io/v1", "Event", "events", true, { shortNames: ["ev"] }),
  r("networking.k8s.io/v1", "IngressClass", "ingressclasses", false),
  r("networking.k8s.io/v1", "ServiceCIDR", "servicecidrs", false, { status: true }),
  r("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false),
  r("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false),
  r("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", false, {
    status: true,
  }),
  r("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", false),
  r("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicy", "mutatingadmissionpolicies", false),
  r("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicyBinding", "mutatingadmissionpolicybindings", false),
  r("apiregistration.k8s.io/v1", "APIService", "apiservices", false, { status: true }),
  r("storage.k8s.io/v1", "CSIDriver", "csidrivers", false),
  r("storage.k8s.io/v1", "VolumeAttributesClass", "volumeattributesclasses", false),
  r("scheduling.k8s.io/v1", "PriorityClass", "priorityclasses", false, { shortNames: ["pc"] }),
  r("node.k8s.io/v1", "RuntimeClass", "runtimeclasses", false),
  r("discovery.k8s.io/v1", "EndpointSlice", "endpointslices", true),
  r("flowcontrol.apiserver.k8s.io/v1", "FlowSchema", "flowschemas", false, { status: true }),
  r("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfiguration", "prioritylevelconfigurations", false, {
    status: true,
  }),
  r("resource.k8s.io/v1", "DeviceClass", "deviceclasses", false),
  r("resource.k8s.io/v1", "ResourceClaim", "resourceclaims", true, { status: true }),
  r("resource.k8s.io/v1", "ResourceClaimTemplate", "resourceclaimtemplates", true),
];

/**
 * Alpha versions a real API server serves only when an administrator enables them: the sandbox
 * serves one only once a fixture (or a create) holds an object of it, so an unseeded sandbox
 * answers 404 for their lists as a default cluster does.
 */
export const ALPHA_RESOURCES: ResourceInfo[] = [
  r("storagemigration.k8s.io/v1alpha1", "StorageVersionMigration", "storageversionmigrations", false, {
    status: true,
  }),
  r("scheduling.k8s.io/v1alpha2", "Workload", "workloads", true),
  r("scheduling.k8s.io/v1alpha2", "PodGroup", "podgroups", true, { status: true }),
  r("coordination.k8s.io/v1alpha1", "LeaseCandidate", "leasecandidates", true),
];

/** Plural of a kind the server knows nothing about, the way kubectl and the CRD docs guess it. */
export function guessPlural(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function groupVersionOf(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

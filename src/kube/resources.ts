// Every resource Upshift reads, in one table. Checks name these keys in `reads`, the snapshot
// lists exactly those, and the RBAC test compares this table with deploy/kubernetes' ClusterRole:
// a resource missing here cannot be read, so it cannot be forgotten in the role either.

/** A Kubernetes object as JSON; fields are optional because real clusters hold odd objects. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
    creationTimestamp?: string;
    ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }>;
    [k: string]: unknown;
  };
  // biome-ignore lint/suspicious/noExplicitAny: objects are read defensively by each check
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: objects are read defensively by each check
  status?: any;
  // biome-ignore lint/suspicious/noExplicitAny: Secret and ConfigMap payloads
  data?: any;
  type?: string;
  [k: string]: unknown;
}

export interface ResourceDef {
  /** group/version, "v1" for core. */
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** A server-side label selector applied when listing (Helm release Secrets: owner=helm). */
  labelSelector?: string;
}

export const RESOURCES = {
  nodes: { apiVersion: "v1", kind: "Node", plural: "nodes", namespaced: false },
  namespaces: { apiVersion: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  pods: { apiVersion: "v1", kind: "Pod", plural: "pods", namespaced: true },
  configmaps: { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
  // VOL-01: PersistentVolumes still on removed in-tree volume plugins (cephfs, rbd, portworx, flex).
  persistentvolumes: { apiVersion: "v1", kind: "PersistentVolume", plural: "persistentvolumes", namespaced: false },
  // Only Helm's release Secrets: checks never need other Secrets' payloads.
  helmReleases: {
    apiVersion: "v1",
    kind: "Secret",
    plural: "secrets",
    namespaced: true,
    labelSelector: "owner=helm",
  },
  // Other Secrets are read for names only (REF-01: does the referenced Secret exist?).
  secrets: { apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true },
  events: { apiVersion: "v1", kind: "Event", plural: "events", namespaced: true },
  services: { apiVersion: "v1", kind: "Service", plural: "services", namespaced: true },
  deployments: { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", namespaced: true },
  statefulsets: { apiVersion: "apps/v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true },
  daemonsets: { apiVersion: "apps/v1", kind: "DaemonSet", plural: "daemonsets", namespaced: true },
  replicasets: { apiVersion: "apps/v1", kind: "ReplicaSet", plural: "replicasets", namespaced: true },
  pdbs: { apiVersion: "policy/v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", namespaced: true },
  crds: {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    namespaced: false,
  },
  ingresses: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", plural: "ingresses", namespaced: true },
  hpas: {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    plural: "horizontalpodautoscalers",
    namespaced: true,
  },
} as const satisfies Record<string, ResourceDef>;

export type ResourceKey = keyof typeof RESOURCES;

export function objectRef(o: KubeObject, fallback?: { apiVersion: string; kind: string }) {
  return {
    apiVersion: o.apiVersion ?? fallback?.apiVersion ?? "v1",
    kind: o.kind ?? fallback?.kind ?? "Unknown",
    namespace: o.metadata?.namespace,
    name: o.metadata?.name ?? "(unnamed)",
  };
}

// CustomResourceDefinitions, established and serving one version.
import type { KubeObject } from "../../../kube/resources.ts";

export function crd(
  group: string,
  plural: string,
  kind: string,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}`, labels, ...(annotations ? { annotations } : {}) },
    spec: {
      group,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: "Namespaced",
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
    status: {
      acceptedNames: { kind, plural },
      storedVersions: ["v1"],
      conditions: [{ type: "Established", status: "True" }],
    },
  };
}

// ConfigMaps and Secrets.
import type { KubeObject } from "../../../kube/resources.ts";

export function configMap(
  namespace: string,
  name: string,
  data: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    data,
  };
}

export function secret(namespace: string, name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace },
    type: "Opaque",
    data: { token: Buffer.from("fixture").toString("base64") },
  };
}

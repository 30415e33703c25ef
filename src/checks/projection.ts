// What the snapshot keeps of each object, applied as each page arrives so the parts no check
// reads are never held for the whole run. Conservative on purpose: only what no check reads is
// dropped, and test/checks/projection.test.ts runs every check over the scenarios with and
// without it and expects the same findings.
// - metadata.managedFields, on every object: no check reads it (grep src/checks), and on a real
//   cluster it is often the largest part of an object (one entry per field manager, every field).
// - Secret values, except in Helm release Secrets (label owner=helm, whose data.release the Helm
//   checks decode, lazily, from the base64 gzip string kept as it came): REF-01 asks only whether
//   a Secret and a key exist, so the keys stay and each value becomes "".
// Annotations stay (API-02 reads last-applied-configuration, CFG-01 its schema annotations, the
// runner its ignore annotation), and so do ConfigMap values (CFG-01, kubeadm-config, kube-proxy).
import type { KubeObject, ResourceKey } from "../kube/resources.ts";

export function projectForChecks(key: ResourceKey, o: KubeObject): KubeObject {
  const meta = o.metadata;
  if (meta && meta.managedFields !== undefined) delete meta.managedFields;
  if (key === "secrets" && meta?.labels?.owner !== "helm") {
    for (const field of ["data", "stringData"] as const) {
      const values = o[field];
      if (values && typeof values === "object" && !Array.isArray(values))
        for (const k of Object.keys(values)) (values as Record<string, unknown>)[k] = "";
    }
  }
  return o;
}

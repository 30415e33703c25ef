// What the snapshot keeps of each object, applied as each page arrives so the parts no check
// reads are never held for the whole run. Conservative on purpose: only what no check reads is
// dropped, and test/checks/projection.test.ts runs every check over the scenarios with and
// without it and expects the same findings.
// - metadata.managedFields, on every object: no check reads it (grep src/checks), and on a real
//   cluster it is often the largest part of an object (one entry per field manager, every field).
// Secrets need no rule: only Helm release Secrets are ever listed (owner=helm and
// type=helm.sh/release.v1), and their data.release stays the base64 gzip string it came as, for
// the Helm checks to decode lazily. Other Secrets are only asked for by name, metadata only (REF-01).
// Annotations stay (API-02 reads last-applied-configuration, CFG-01 its schema annotations, the
// runner its ignore annotation), and so do ConfigMap values (CFG-01, kubeadm-config, kube-proxy).
import type { KubeObject } from "../kube/resources.ts";

/** Every list is treated alike: no rule depends on which list an object came in. */
export function projectForChecks(o: KubeObject): KubeObject {
  const meta = o.metadata;
  if (meta && meta.managedFields !== undefined) delete meta.managedFields;
  return o;
}

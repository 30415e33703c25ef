// CRD-02: status.storedVersions lists a version the CRD no longer serves. Objects may still be
// stored in etcd in that version; the next CRD update that drops it entirely is rejected, and
// clients asking for it get 404s. Storage must be migrated before the version can go.
import { objectRef } from "../../kube/resources.ts";
import type { Check, FindingInput } from "../types.ts";

export const crd02StoredVersionNotServed: Check = {
  id: "CRD-02",
  severity: "blocker",
  title: "CRD has objects stored in a version it no longer serves",
  remediation:
    'Migrate stored objects to the storage version (kube-storage-version-migrator, or read and write back every object), then remove the old version from status.storedVersions (`kubectl patch crd <name> --subresource=status --type=merge -p \'{"status":{"storedVersions":["<storage version>"]}}\'`).',
  reads: ["crds"],
  evaluate(ctx) {
    const findings: FindingInput[] = [];
    for (const crd of ctx.objects("crds")) {
      const stored = crd?.status?.storedVersions;
      const versions = crd?.spec?.versions;
      if (!Array.isArray(stored) || !Array.isArray(versions)) continue;
      const byName = new Map<string, { served?: unknown; storage?: unknown }>();
      for (const v of versions) if (v && typeof v.name === "string") byName.set(v.name, v);
      const storage = versions.find((v) => v?.storage === true)?.name;
      const ref = objectRef(crd, { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" });
      for (const s of stored) {
        if (typeof s !== "string") continue;
        const spec = byName.get(s);
        if (spec && spec.served !== false) continue;
        const why = spec ? "is marked served: false" : "is missing from spec.versions";
        findings.push({
          object: ref,
          message: `CRD ${ref.name} may still hold objects stored as ${s}, but ${s} ${why}; migrate those objects before the version is dropped or the next CRD upgrade will fail.`,
          evidence: `status.storedVersions contains ${s}; spec.versions[${s}] ${spec ? "served=false" : "absent"}`,
          remediation: `Rewrite every ${ref.name} object in the storage version${storage ? ` ${storage}` : ""} (kube-storage-version-migrator, or \`kubectl get ${ref.name} -A -o json | kubectl replace -f -\`), then patch status.storedVersions of ${ref.name} to ["${storage ?? "<storage version>"}"].`,
        });
      }
    }
    return findings;
  },
};

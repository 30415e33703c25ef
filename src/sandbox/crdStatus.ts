// What apiextensions-apiserver's own controllers write into a CustomResourceDefinition's status
// right after it is stored: the accepted names (NamesAccepted), Established once they are, and the
// storage version added to status.storedVersions (which only ever grows until someone edits it).
// Clients wait on this: Helm installs a chart's crds/ and waits for Established before the rest.
//
// SOURCES: kubernetes/apiextensions-apiserver pkg/controller/establish (Established condition),
// pkg/controller/status naming controller (NamesAccepted, acceptedNames), pkg/registry/
// customresourcedefinition strategy.go (storedVersions gains the storage version on create and
// update); Helm 3 pkg/action/install.go installCRDs waits for the CRDs to be established.
import type { KubeObject } from "../kube/resources.ts";
import { nowTimestamp } from "./store.ts";

type Condition = { type: string; status: string; [k: string]: unknown };

/** Status as the real server leaves it a moment after a write of the CRD's main resource. */
export function crdStatusAfterWrite(
  crd: KubeObject,
  previous: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const status: Record<string, unknown> = structuredClone(previous ?? {});
  const versions: Array<{ name?: unknown; storage?: unknown }> = Array.isArray(crd.spec?.versions)
    ? crd.spec.versions
    : [];
  const storage = versions.find((v) => v.storage === true)?.name;
  const stored: string[] = Array.isArray(status.storedVersions) ? [...(status.storedVersions as string[])] : [];
  if (typeof storage === "string" && !stored.includes(storage)) stored.push(storage);
  status.storedVersions = stored;
  if (crd.spec?.names) status.acceptedNames = structuredClone(crd.spec.names);
  const now = nowTimestamp();
  const conditions: Condition[] = Array.isArray(status.conditions) ? (status.conditions as Condition[]) : [];
  const set = (type: string, reason: string, message: string) => {
    const existing = conditions.find((c) => c.type === type);
    if (existing?.status === "True") return;
    const next = { type, status: "True", lastTransitionTime: now, reason, message };
    if (existing) Object.assign(existing, next);
    else conditions.push(next);
  };
  set("NamesAccepted", "NoConflicts", "no conflicts found");
  set("Established", "InitialNamesAccepted", "the initial names have been accepted");
  status.conditions = conditions;
  return status;
}

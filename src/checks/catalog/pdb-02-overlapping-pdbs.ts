// PDB-02: the eviction API refuses to evict a pod covered by more than one PodDisruptionBudget
// ("This pod has more than one PodDisruptionBudget, which the eviction subresource does not
// support"), so drains stall on it exactly as on a budget with no room.
import type { KubeObject } from "../../kube/resources.ts";
import { createOwnerResolver, describeRef, groupByOwner, selectorMatches } from "../ownership.ts";
import type { Check, CheckContext, FindingInput } from "../types.ts";

export const pdb02OverlappingPdbs: Check = {
  id: "PDB-02",
  severity: "high",
  title: "Pods selected by more than one PodDisruptionBudget",
  remediation:
    "Keep one PodDisruptionBudget per pod: narrow the selectors (add a distinguishing label) or delete the duplicate budget.",
  reads: ["pdbs", "pods", "replicasets"],
  evaluate(ctx: CheckContext): FindingInput[] {
    const pdbsByNs = new Map<string, KubeObject[]>();
    for (const pdb of ctx.objects("pdbs")) {
      if (!pdb?.metadata?.name) continue;
      const ns = pdb.metadata.namespace ?? "";
      const list = pdbsByNs.get(ns);
      if (list) list.push(pdb);
      else pdbsByNs.set(ns, [pdb]);
    }
    const entries: Array<{ pod: KubeObject; item: { pod: string; labels: string; pdbs: string[] } }> = [];
    for (const pod of ctx.objects("pods")) {
      if (!pod?.metadata) continue;
      const candidates = pdbsByNs.get(pod.metadata.namespace ?? "") ?? [];
      // Overlap needs two budgets in the pod's namespace; most namespaces have fewer.
      if (candidates.length < 2) continue;
      const matching = candidates
        .filter((pdb) => selectorMatches(pdb.spec?.selector, pod.metadata?.labels))
        .map((pdb) => pdb.metadata?.name as string)
        .sort();
      if (matching.length > 1) {
        const labels = Object.entries(pod.metadata.labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(",");
        entries.push({ pod, item: { pod: pod.metadata.name ?? "(unnamed)", labels, pdbs: matching } });
      }
    }
    const resolve = createOwnerResolver(ctx.objects("replicasets"));
    return groupByOwner(entries, resolve).map(({ owner, items }) => {
      const pdbs = [...new Set(items.flatMap((i) => i.pdbs))].sort();
      const pods = items.length === 1 ? `pod ${items[0].pod}` : `${items.length} pods`;
      return {
        object: owner,
        message: `${describeRef(owner)} is covered by ${pdbs.length} PodDisruptionBudgets (${pdbs.join(", ")}); the eviction API refuses such pods, so node drains stall (${pods}).`,
        evidence: `pod ${items[0].pod} (labels ${items[0].labels}) matched by PodDisruptionBudgets ${items[0].pdbs.join(", ")}`,
        remediation: `Keep one of ${pdbs.join(", ")} in namespace ${owner.namespace ?? "default"} for ${describeRef(owner)} and delete or narrow the others.`,
      };
    });
  },
};

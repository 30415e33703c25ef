// PDB-02: the eviction API refuses to evict a pod covered by more than one PodDisruptionBudget
// ("This pod has more than one PodDisruptionBudget, which the eviction subresource does not
// support"), so drains stall on it exactly as on a budget with no room.
import { type KubeObject, objectRef } from "../../kube/resources.ts";
import { listSome, plural } from "../../text/english.ts";
import { compareText } from "../../text/order.ts";
import { createOwnerResolver, describeRef, groupByOwner, selectorMatches } from "../ownership.ts";
import type { Check, CheckContext } from "../types.ts";

export const pdb02OverlappingPdbs: Check = {
  id: "PDB-02",
  severity: "high",
  title: "Pods selected by more than one PodDisruptionBudget",
  remediation:
    "Keep one PodDisruptionBudget per pod: narrow the selectors (add a distinguishing label) or delete the duplicate budget.",
  reads: ["pdbs", "pods", "replicasets"],
  evaluate(ctx: CheckContext) {
    const pdbsByNs = new Map<string, KubeObject[]>();
    for (const pdb of ctx.objects("pdbs")) {
      if (!pdb?.metadata?.name) continue;
      const ns = pdb.metadata.namespace ?? "";
      const list = pdbsByNs.get(ns);
      if (list) list.push(pdb);
      else pdbsByNs.set(ns, [pdb]);
    }
    // The root cause is the overlapping budgets, not each pod: pods matched by the same set of
    // budgets are one finding, anchored at the first budget, naming the pods by their workload.
    const groups = new Map<
      string,
      {
        namespace: string;
        pdbs: KubeObject[];
        entries: Array<{ pod: KubeObject; item: { pod: string; labels: string } }>;
      }
    >();
    for (const pod of ctx.objects("pods")) {
      if (!pod?.metadata) continue;
      const ns = pod.metadata.namespace ?? "";
      const candidates = pdbsByNs.get(ns) ?? [];
      // Overlap needs two budgets in the pod's namespace; most namespaces have fewer.
      if (candidates.length < 2) continue;
      const matching = candidates
        .filter((pdb) => selectorMatches(pdb.spec?.selector, pod.metadata?.labels))
        .sort((a, b) => compareText(String(a.metadata?.name), String(b.metadata?.name)));
      if (matching.length < 2) continue;
      const key = `${ns}|${matching.map((m) => m.metadata?.name).join(",")}`;
      const labels = Object.entries(pod.metadata.labels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      const entry = { pod, item: { pod: pod.metadata.name ?? "(unnamed)", labels } };
      const group = groups.get(key);
      if (group) group.entries.push(entry);
      else groups.set(key, { namespace: ns, pdbs: matching, entries: [entry] });
    }
    const resolve = createOwnerResolver(ctx.objects("replicasets"));
    return [...groups.values()].map(({ namespace, pdbs, entries }) => {
      const names = pdbs.map((p) => p.metadata?.name as string);
      const owners = groupByOwner(entries, resolve).map(({ owner, items }) =>
        owner.kind === "Pod"
          ? `pod ${owner.name}`
          : `${describeRef(owner)} (${items.length === 1 ? "pod" : "pods"} ${listSome(
              items.map((i) => i.pod),
              3,
            )})`,
      );
      const first = entries[0].item;
      const budgets = `PodDisruptionBudgets ${listSome(names, 10)}`;
      return {
        object: objectRef(pdbs[0], { apiVersion: "policy/v1", kind: "PodDisruptionBudget" }),
        message: `${budgets} in namespace ${namespace || "default"} ${names.length === 2 ? "both" : "all"} select ${plural(entries.length, "pod")}: ${listSome(owners)}; the eviction API refuses a pod covered by more than one budget, so node drains stall.`,
        evidence: `pod ${first.pod} (labels ${first.labels}) matched by ${budgets}`,
        remediation: `Keep one of ${listSome(names, 10)} in namespace ${namespace || "default"} for these pods and delete or narrow the others.`,
      };
    });
  },
};

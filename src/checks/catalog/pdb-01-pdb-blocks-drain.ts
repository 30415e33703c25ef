// PDB-01: a PodDisruptionBudget that allows no disruption makes `kubectl drain` (and every
// managed node-pool upgrade) retry evictions forever: the node upgrade stalls on that node.
import type { KubeObject } from "../../kube/resources.ts";
import { createOwnerResolver, findWorkload, groupByOwner, selectorMatches } from "../ownership.ts";
import type { Check, CheckContext, FindingInput } from "../types.ts";

/** An int-or-percent as Kubernetes writes it: 2, "2", "50%". */
function parseIntOrPercent(v: unknown): { value: number; percent: boolean } | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return { value: v, percent: false };
  if (typeof v !== "string") return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(v);
  if (!m) return undefined;
  return { value: Number(m[1]), percent: m[2] === "%" };
}

/** Pods the budget covers, counted by their controllers' desired replicas where we can see them. */
function expectedPods(pdb: KubeObject, ctx: CheckContext): { count: number; source: string } {
  const fromStatus = pdb.status?.expectedPods;
  if (typeof fromStatus === "number" && fromStatus > 0) return { count: fromStatus, source: "status.expectedPods" };
  const ns = pdb.metadata?.namespace;
  const selected = ctx
    .objects("pods")
    .filter((p) => p?.metadata?.namespace === ns && selectorMatches(pdb.spec?.selector, p.metadata?.labels));
  if (selected.length === 0) return { count: 0, source: "selected pods" };
  const resolve = createOwnerResolver(ctx.objects("replicasets"));
  const workloads = [ctx.objects("deployments"), ctx.objects("statefulsets")];
  let count = 0;
  for (const { owner, items } of groupByOwner(
    selected.map((pod) => ({ pod, item: pod })),
    resolve,
  )) {
    const replicas = findWorkload(owner, workloads)?.spec?.replicas;
    count += typeof replicas === "number" && replicas >= 0 ? replicas : items.length;
  }
  return { count, source: "replicas of selected pods" };
}

export const pdb01PdbBlocksDrain: Check = {
  id: "PDB-01",
  severity: "high",
  title: "PodDisruptionBudget allows no disruption",
  remediation:
    "Give the budget room for one pod (maxUnavailable: 1, or minAvailable below the replica count) and run enough replicas; otherwise node drains stall on this budget.",
  reads: ["pdbs", "pods", "replicasets", "deployments", "statefulsets"],
  evaluate(ctx: CheckContext): FindingInput[] {
    const out: FindingInput[] = [];
    for (const pdb of ctx.objects("pdbs")) {
      if (!pdb || typeof pdb !== "object") continue;
      const spec = pdb.spec && typeof pdb.spec === "object" ? pdb.spec : {};
      const expected = expectedPods(pdb, ctx);
      const reasons: string[] = [];
      const maxUnavailable = parseIntOrPercent(spec.maxUnavailable);
      if (maxUnavailable && maxUnavailable.value === 0) {
        reasons.push(`spec.maxUnavailable=${JSON.stringify(spec.maxUnavailable)}`);
      }
      const minAvailable = parseIntOrPercent(spec.minAvailable);
      if (minAvailable && expected.count > 0) {
        // Kubernetes rounds a percentage minAvailable up, so 50% of 1 pod is 1 pod.
        const required = minAvailable.percent
          ? Math.ceil((minAvailable.value * expected.count) / 100)
          : minAvailable.value;
        if (required >= expected.count) {
          reasons.push(
            `spec.minAvailable=${JSON.stringify(spec.minAvailable)} >= ${expected.count} pods (${expected.source})`,
          );
        }
      }
      const allowed = pdb.status?.disruptionsAllowed;
      const statusExpected = pdb.status?.expectedPods;
      if (allowed === 0 && typeof statusExpected === "number" && statusExpected > 0) {
        reasons.push(`status.disruptionsAllowed=0 with status.expectedPods=${statusExpected}`);
      }
      if (reasons.length === 0) continue;
      const name = pdb.metadata?.name ?? "(unnamed)";
      const ns = pdb.metadata?.namespace ?? "default";
      out.push({
        object: {
          apiVersion: pdb.apiVersion ?? "policy/v1",
          kind: "PodDisruptionBudget",
          namespace: pdb.metadata?.namespace,
          name,
        },
        message: `PodDisruptionBudget ${ns}/${name} allows no pod to be evicted, so draining a node that runs its pods will stall the upgrade.`,
        evidence: reasons.join("; "),
        remediation: `Set maxUnavailable: 1 on PodDisruptionBudget ${ns}/${name} (kubectl edit pdb -n ${ns} ${name}), or scale its workload above minAvailable; if pods are unhealthy, fix them first (status.currentHealthy=${pdb.status?.currentHealthy ?? "?"}).`,
      });
    }
    return out;
  },
};

// WL-01: a node upgrade drains every node in turn. A workload with one replica is down while its
// node drains; several replicas packed on one node (no anti-affinity, no topology spread) go
// down together. One finding per workload, never per pod.
import type { KubeObject } from "../../kube/resources.ts";
import type { Check, CheckContext, FindingInput } from "../types.ts";

function hasPodAntiAffinity(spec: KubeObject["spec"]): boolean {
  const anti = spec?.template?.spec?.affinity?.podAntiAffinity;
  if (!anti || typeof anti !== "object") return false;
  const req = anti.requiredDuringSchedulingIgnoredDuringExecution;
  const pref = anti.preferredDuringSchedulingIgnoredDuringExecution;
  return (Array.isArray(req) && req.length > 0) || (Array.isArray(pref) && pref.length > 0);
}

function hasTopologySpread(spec: KubeObject["spec"]): boolean {
  const tsc = spec?.template?.spec?.topologySpreadConstraints;
  return Array.isArray(tsc) && tsc.length > 0;
}

export const wl01NoSpread: Check = {
  id: "WL-01",
  severity: "medium",
  title: "Workload goes down during node upgrades (one replica or no spread)",
  remediation:
    "Run at least two replicas and spread them across nodes (podAntiAffinity on the pod labels, or topologySpreadConstraints on kubernetes.io/hostname), with a PodDisruptionBudget of maxUnavailable: 1.",
  reads: ["deployments", "statefulsets"],
  evaluate(ctx: CheckContext): FindingInput[] {
    const out: FindingInput[] = [];
    for (const [key, kind] of [
      ["deployments", "Deployment"],
      ["statefulsets", "StatefulSet"],
    ] as const) {
      for (const w of ctx.objects(key)) {
        if (!w?.metadata?.name) continue;
        const spec = w.spec && typeof w.spec === "object" ? w.spec : undefined;
        if (!spec) continue;
        // The API server defaults replicas to 1 when unset.
        const replicas = spec.replicas === undefined || spec.replicas === null ? 1 : spec.replicas;
        if (typeof replicas !== "number" || replicas <= 0) continue; // scaled to zero: nothing to lose
        const object = {
          apiVersion: w.apiVersion ?? "apps/v1",
          kind,
          namespace: w.metadata.namespace,
          name: w.metadata.name,
        };
        const label = `${kind} ${w.metadata.namespace ?? "default"}/${w.metadata.name}`;
        if (replicas === 1) {
          out.push({
            object,
            message: `${label} runs a single replica: it is unavailable while its node is drained during the upgrade.`,
            evidence: `spec.replicas=${spec.replicas ?? "(unset, defaults to 1)"}`,
            remediation: `Scale ${label} to 2 or more replicas with podAntiAffinity or topologySpreadConstraints, or accept a short outage and plan it in the maintenance window.`,
          });
          continue;
        }
        if (hasPodAntiAffinity(spec) || hasTopologySpread(spec)) continue;
        out.push({
          object,
          message: `${label} has ${replicas} replicas but nothing spreads them across nodes: they may all sit on the node being drained.`,
          evidence: `spec.replicas=${replicas}; spec.template.spec.affinity.podAntiAffinity absent; spec.template.spec.topologySpreadConstraints absent`,
          remediation: `Add topologySpreadConstraints (topologyKey: kubernetes.io/hostname, maxSkew: 1, whenUnsatisfiable: ScheduleAnyway) or a preferred podAntiAffinity on the pod labels of ${label}.`,
        });
      }
    }
    return out;
  },
};

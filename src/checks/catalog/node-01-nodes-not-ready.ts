// NODE-01: an upgrade drains and replaces nodes one at a time; starting with a node already down
// removes the capacity the drain needs, and a control plane node down can take the API with it.
import type { KubeObject } from "../../kube/resources.ts";
import type { Loose } from "../ownership.ts";
import type { Check, CheckContext, FindingInput } from "../types.ts";

const CONTROL_PLANE_LABELS = ["node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"];

function isControlPlane(node: KubeObject): boolean {
  const labels = node.metadata?.labels ?? {};
  return CONTROL_PLANE_LABELS.some((l) => Object.hasOwn(labels, l));
}

function readyCondition(node: KubeObject): Loose | undefined {
  const conditions = node.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return conditions.find((c: Loose) => c?.type === "Ready");
}

export const node01NodesNotReady: Check = {
  id: "NODE-01",
  severity: "high",
  title: "Nodes not Ready or cordoned",
  remediation:
    "Bring NotReady nodes back (kubelet logs, disk and memory pressure) or remove them from the cluster, and uncordon nodes left cordoned by an earlier maintenance, before upgrading.",
  reads: ["nodes"],
  evaluate(ctx: CheckContext): FindingInput[] {
    const nodes = ctx.objects("nodes").filter((n) => n && typeof n === "object");
    const notReady = nodes.filter((n) => {
      const c = readyCondition(n);
      return c !== undefined && c.status !== "True";
    });
    const out: FindingInput[] = [];
    const object = (n: KubeObject) => ({ apiVersion: "v1", kind: "Node", name: n.metadata?.name ?? "(unnamed)" });
    for (const n of nodes) {
      const name = n.metadata?.name ?? "(unnamed)";
      const cp = isControlPlane(n);
      const role = cp ? "Control plane node" : "Node";
      const ready = readyCondition(n);
      if (!ready) {
        out.push({
          object: object(n),
          severity: "info",
          message: `Could not evaluate node ${name}: it reports no Ready condition.`,
          evidence: "status.conditions has no type=Ready",
          remediation: `Check node ${name} with kubectl describe node ${name}.`,
        });
      } else if (ready.status !== "True") {
        const since = typeof ready.lastTransitionTime === "string" ? ` since ${ready.lastTransitionTime}` : "";
        out.push({
          object: object(n),
          severity: cp ? "blocker" : "high",
          message: `${role} ${name} is not Ready${since} (${notReady.length} of ${nodes.length} nodes not Ready).`,
          evidence: `condition Ready=${ready.status} reason=${ready.reason ?? "(none)"}${ready.message ? ` message=${ready.message}` : ""}`,
          remediation: cp
            ? `Restore control plane node ${name} (kubelet, etcd, API server logs) before upgrading: upgrading with a control plane member down risks losing quorum.`
            : `Restore node ${name} (journalctl -u kubelet, disk and memory pressure) or delete it from the cluster before upgrading.`,
        });
      }
      if (n.spec?.unschedulable === true) {
        out.push({
          object: object(n),
          severity: "high",
          message: `${role} ${name} is cordoned (unschedulable): pods drained from other nodes cannot land on it.`,
          evidence: "spec.unschedulable=true",
          remediation: `If its maintenance is over, kubectl uncordon ${name}; otherwise finish that maintenance before starting the upgrade.`,
        });
      }
    }
    return out;
  },
};

// NODE-01 during a watch: a node whose Ready condition leaves True (drained and upgraded nodes
// that do not come back are the usual way an upgrade stalls).
import type { KubeObject } from "../../kube/resources.ts";
import type { AlertDraft, ObjectEvent, RuleContext, WatchRule } from "../types.ts";

export function readyCondition(
  node: KubeObject | undefined,
): { status?: string; reason?: string; message?: string } | undefined {
  const conditions = node?.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return conditions.find((c: { type?: string }) => c?.type === "Ready");
}

export const nodeNotReadyRule: WatchRule = {
  id: "watch-node-not-ready",
  reason: "NodeNotReady",
  severity: "high",
  check: "NODE-01",
  resources: ["nodes"],
  onEvent(ev: ObjectEvent, ctx: RuleContext): AlertDraft[] {
    if (ev.type === "DELETED") return [];
    const name = ev.obj.metadata?.name;
    const ready = readyCondition(ev.obj);
    if (!name || !ready || ready.status === "True") return [];
    const before = readyCondition(ev.prev);
    if (ev.prev && before && before.status !== "True") return [];
    const kubelet = ev.obj.status?.nodeInfo?.kubeletVersion;
    return [
      {
        ruleId: this.id,
        reason: this.reason,
        severity: this.severity,
        check: this.check,
        subject: { kind: "Node", name },
        evidence: `Ready=${ready.status ?? "?"}${ready.reason ? ` (${ready.reason})` : ""}${ready.message ? `: "${String(ready.message).slice(0, 200)}"` : ""}${kubelet ? `; kubelet ${kubelet}` : ""}`,
        likelyCause:
          "the kubelet stopped reporting: a node being upgraded that did not come back, a kubelet/container runtime that fails to start on the new version, or network loss.",
        hint: `kubectl describe node ${name}`,
        observedAt: ctx.now,
      },
    ];
  },
};

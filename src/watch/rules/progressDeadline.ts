// A Deployment whose rollout exceeded its progress deadline (Progressing=False,
// ProgressDeadlineExceeded): the rollout of the upgraded version is stuck. The usual causes are
// crashing new pods or pods that cannot be scheduled, so it links to POD-01.
import type { KubeObject } from "../../kube/resources.ts";
import type { AlertDraft, ObjectEvent, RuleContext, WatchRule } from "../types.ts";

function deadlineExceeded(d: KubeObject | undefined): { message?: string } | undefined {
  const conditions = d?.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return conditions.find(
    (c: { type?: string; status?: string; reason?: string }) =>
      c?.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded",
  );
}

export const progressDeadlineRule: WatchRule = {
  id: "watch-progress-deadline",
  reason: "ProgressDeadlineExceeded",
  severity: "high",
  check: "POD-01",
  resources: ["deployments"],
  onEvent(ev: ObjectEvent, ctx: RuleContext): AlertDraft[] {
    if (ev.type === "DELETED") return [];
    const cond = deadlineExceeded(ev.obj);
    if (!cond || (ev.prev && deadlineExceeded(ev.prev))) return [];
    const s = ev.obj.status ?? {};
    return [
      {
        ruleId: this.id,
        reason: this.reason,
        severity: this.severity,
        check: this.check,
        subject: { kind: "Deployment", namespace: ev.obj.metadata?.namespace, name: ev.obj.metadata?.name ?? "?" },
        evidence: `Progressing=False (ProgressDeadlineExceeded)${cond.message ? `: "${String(cond.message).slice(0, 200)}"` : ""}; ${s.updatedReplicas ?? 0} updated, ${s.availableReplicas ?? 0} available of ${ev.obj.spec?.replicas ?? "?"}`,
        likelyCause:
          "the new ReplicaSet's pods do not become available: crashing containers, failing probes, missing ConfigMaps/Secrets, or no room to schedule. Look at the newest pods' status and events.",
        hint: `kubectl describe deployment -n ${ev.obj.metadata?.namespace ?? "default"} ${ev.obj.metadata?.name ?? "?"}`,
        observedAt: ctx.now,
      },
    ];
  },
};

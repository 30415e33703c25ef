// PRB-01 during a watch: `Unhealthy` events saying "Liveness probe failed" (INCIDENTS 1: a slow
// start outlasts the probe window and the kubelet kills the pod over and over).
import type { AlertDraft, ObjectEvent, RuleContext, WatchRule } from "../types.ts";

export const livenessProbeFailedRule: WatchRule = {
  id: "watch-liveness-failed",
  reason: "LivenessProbeFailed",
  severity: "medium",
  check: "PRB-01",
  resources: ["events"],
  onEvent(ev: ObjectEvent, ctx: RuleContext): AlertDraft[] {
    if (ev.type === "DELETED" || ev.type === "SYNC") return [];
    const e = ev.obj;
    const message = typeof e.message === "string" ? e.message : "";
    if (e.reason !== "Unhealthy" || !message.includes("Liveness probe failed")) return [];
    // A re-delivered event (count bumped) is the same problem; dedupe by subject handles repeats.
    const involved = (e.involvedObject ?? {}) as { kind?: string; namespace?: string; name?: string };
    if (!involved.name) return [];
    const count = Number(e.count ?? (e.series as { count?: number } | undefined)?.count ?? 1);
    return [
      {
        ruleId: this.id,
        reason: this.reason,
        severity: this.severity,
        check: this.check,
        subject: {
          kind: involved.kind ?? "Pod",
          namespace: involved.namespace ?? e.metadata?.namespace,
          name: involved.name,
        },
        evidence: `event Unhealthy (×${Number.isFinite(count) ? count : 1}): "${message.slice(0, 300)}"`,
        likelyCause:
          "the container is not answering its liveness probe in time, often a start slower than initialDelaySeconds + failureThreshold × periodSeconds. Add a startupProbe or lengthen the window.",
        observedAt: ctx.now,
      },
    ];
  },
};

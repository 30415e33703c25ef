// PRB-01 during a watch: `Unhealthy` events saying "Liveness probe failed" (INCIDENTS 1: a slow
// start outlasts the probe window and the kubelet kills the pod over and over).
import type { AlertDraft, AlertSubject, ObjectEvent, RuleContext, WatchRule } from "../types.ts";
import { previousLogsHint, workloadSubject } from "./podCrashLoop.ts";

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
    const involved = (e.involvedObject ?? {}) as {
      kind?: string;
      namespace?: string;
      name?: string;
      fieldPath?: string;
    };
    if (!involved.name) return [];
    const namespace = involved.namespace ?? e.metadata?.namespace;
    // The kubelet names the container in fieldPath: "spec.containers{app}".
    const container = /\{([^}]+)\}/.exec(involved.fieldPath ?? "")?.[1];
    // Alerts go by workload, as the crash-loop alerts do: the pod's owner when this watch holds the pod.
    const pod =
      (involved.kind ?? "Pod") === "Pod"
        ? [...ctx.lookup("pods")].find((p) => p.metadata?.name === involved.name && p.metadata?.namespace === namespace)
        : undefined;
    const subject: AlertSubject = pod
      ? workloadSubject(pod)
      : { kind: involved.kind ?? "Pod", namespace, name: involved.name };
    const podRef = pod ?? { metadata: { name: involved.name, namespace } };
    const hint = container
      ? previousLogsHint(podRef, container)
      : `kubectl describe pod -n ${namespace ?? "default"} ${involved.name}`;
    const count = Number(e.count ?? (e.series as { count?: number } | undefined)?.count ?? 1);
    return [
      {
        ruleId: this.id,
        reason: this.reason,
        severity: this.severity,
        check: this.check,
        subject,
        evidence: `${subject.kind === "Pod" ? "" : `pod \`${involved.name}\`${container ? ` container \`${container}\`` : ""}: `}event Unhealthy (×${Number.isFinite(count) ? count : 1}): "${message.slice(0, 300)}"`,
        likelyCause:
          "the container is not answering its liveness probe in time, often a start slower than initialDelaySeconds + failureThreshold × periodSeconds. Add a startupProbe or lengthen the window.",
        hint,
        observedAt: ctx.now,
      },
    ];
  },
};

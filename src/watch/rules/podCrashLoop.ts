// POD-01 during a watch: a container entering CrashLoopBackOff, or restarting again and again
// (INCIDENTS 1 and 2: the restart loop is the first visible sign of a half-applied upgrade).
import type { KubeObject } from "../../kube/resources.ts";
import type { AlertDraft, ObjectEvent, RuleContext, WatchRule } from "../types.ts";

interface ContainerState {
  name: string;
  waiting?: string;
  waitingMessage?: string;
  restarts: number;
  lastTermination?: string;
}

function containers(pod: KubeObject | undefined): ContainerState[] {
  const statuses = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])];
  const out: ContainerState[] = [];
  for (const s of statuses) {
    if (!s || typeof s.name !== "string") continue;
    const term = s.lastState?.terminated;
    out.push({
      name: s.name,
      waiting: s.state?.waiting?.reason,
      waitingMessage: s.state?.waiting?.message,
      restarts: Number.isFinite(s.restartCount) ? Number(s.restartCount) : 0,
      lastTermination: term ? `${term.reason ?? "terminated"} (exit code ${term.exitCode ?? "?"})` : undefined,
    });
  }
  return out;
}

export const podCrashLoopRule: WatchRule = {
  id: "watch-pod-crashloop",
  reason: "CrashLoopBackOff | RestartingRepeatedly",
  severity: "high",
  check: "POD-01",
  resources: ["pods"],
  onEvent(ev: ObjectEvent, ctx: RuleContext): AlertDraft[] {
    if (ev.type === "DELETED") return [];
    const name = ev.obj.metadata?.name;
    if (!name) return [];
    const before = new Map(containers(ev.prev).map((c) => [c.name, c]));
    const subject = { kind: "Pod", namespace: ev.obj.metadata?.namespace, name };
    for (const c of containers(ev.obj)) {
      const was = before.get(c.name);
      const evidence = [
        `container \`${c.name}\` ${c.waiting ? `waiting: ${c.waiting}` : "running"}`,
        `${c.restarts} restarts`,
        c.lastTermination ? `last exit: ${c.lastTermination}` : undefined,
        c.waitingMessage ? `"${c.waitingMessage.slice(0, 200)}"` : undefined,
      ]
        .filter(Boolean)
        .join("; ");
      if (c.waiting === "CrashLoopBackOff" && was?.waiting !== "CrashLoopBackOff") {
        return [
          {
            ruleId: this.id,
            reason: "CrashLoopBackOff",
            severity: this.severity,
            check: this.check,
            subject,
            evidence,
            likelyCause:
              "the new version fails at start: a liveness probe that kills a slow start (PRB-01), configuration the new version rejects or misses, or a missing ConfigMap/Secret. Read the previous container's logs (`kubectl logs --previous`).",
            observedAt: ctx.now,
          },
        ];
      }
      // Restarts rising while not (yet) in back-off: count from what this watch saw first.
      // A container already in back-off restarting again is the same problem, reported above.
      const inBackOff = c.waiting === "CrashLoopBackOff" || was?.waiting === "CrashLoopBackOff";
      if (was && !inBackOff && c.restarts > was.restarts && c.restarts >= ctx.options.restartThreshold) {
        return [
          {
            ruleId: this.id,
            reason: "RestartingRepeatedly",
            severity: this.severity,
            check: this.check,
            subject,
            evidence,
            likelyCause: "the container keeps exiting or being killed; check its last exit reason and its probes.",
            observedAt: ctx.now,
          },
        ];
      }
    }
    return [];
  },
};

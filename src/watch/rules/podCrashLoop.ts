// POD-01 during a watch: a container entering CrashLoopBackOff, or restarting again and again
// (INCIDENTS 1 and 2: the restart loop is the first visible sign of a half-applied upgrade).
// Pods are how it shows, workloads are what people fix: like the preflight's POD-01, the alert is
// about the owning workload (Deployment, StatefulSet, DaemonSet, Job; a bare pod is its own) and
// lists its pods in that state, so ten crashing replicas are one alert, not ten.
import { createOwnerResolver } from "../../checks/ownership.ts";
import type { KubeObject } from "../../kube/resources.ts";
import type { AlertDraft, AlertSubject, ObjectEvent, RuleContext, WatchRule } from "../types.ts";

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

/** No ReplicaSets are watched: a pod's Deployment is found from its ReplicaSet's name. */
const ownerOf = createOwnerResolver([]);

/** Pods listed by name in one alert; the rest are counted. */
const PODS_LISTED = 5;

export function workloadSubject(pod: KubeObject): AlertSubject {
  const owner = ownerOf(pod);
  return { kind: owner.kind, namespace: owner.namespace, name: owner.name };
}

function sameSubject(a: AlertSubject, b: AlertSubject): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

function containerEvidence(c: ContainerState): string {
  return [
    `container \`${c.name}\` ${c.waiting ? `waiting: ${c.waiting}` : "running"}`,
    `${c.restarts} restarts`,
    c.lastTermination ? `last exit: ${c.lastTermination}` : undefined,
    c.waitingMessage ? `"${c.waitingMessage.slice(0, 200)}"` : undefined,
  ]
    .filter(Boolean)
    .join("; ");
}

/**
 * The evidence for a workload: the one pod as before, or every pod of it in the same state
 * (those this watch holds), each with its container, restarts and last exit.
 */
function workloadEvidence(
  subject: AlertSubject,
  pod: KubeObject,
  container: ContainerState,
  ctx: RuleContext,
  inState: (c: ContainerState) => boolean,
): string {
  if (subject.kind === "Pod") return containerEvidence(container);
  const pods: Array<{ name: string; c: ContainerState }> = [];
  // Pods of a workload are named after it ("api-7d9f8c6b5d-x2x9k", "db-0"): the name and
  // namespace rule out almost every pod before the owner is worked out.
  const prefix = `${subject.name}-`;
  for (const p of ctx.lookup("pods")) {
    if (p.metadata?.namespace !== subject.namespace || !p.metadata?.name?.startsWith(prefix)) continue;
    if (!sameSubject(workloadSubject(p), subject)) continue;
    const c = containers(p).find(inState);
    if (c && p.metadata?.name) pods.push({ name: p.metadata.name, c });
  }
  // The pod of this event is in the list even when the cache has not caught up.
  if (!pods.some((p) => p.name === pod.metadata?.name)) pods.unshift({ name: pod.metadata?.name ?? "?", c: container });
  pods.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const listed = pods
    .slice(0, PODS_LISTED)
    .map((p) => `\`${p.name}\` (${containerEvidence(p.c)})`)
    .join(", ");
  const more = pods.length > PODS_LISTED ? ` and ${pods.length - PODS_LISTED} more` : "";
  return `${pods.length} pod${pods.length === 1 ? "" : "s"}: ${listed}${more}`;
}

/** The command that shows why the container died, as the preflight's POD-01 gives it. */
export function previousLogsHint(pod: KubeObject, container: string): string {
  return `kubectl logs -n ${pod.metadata?.namespace ?? "default"} ${pod.metadata?.name ?? "POD"} -c ${container} --previous`;
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
    const subject = workloadSubject(ev.obj);
    for (const c of containers(ev.obj)) {
      const was = before.get(c.name);
      if (c.waiting === "CrashLoopBackOff" && was?.waiting !== "CrashLoopBackOff") {
        return [
          {
            ruleId: this.id,
            reason: "CrashLoopBackOff",
            severity: this.severity,
            check: this.check,
            subject,
            evidence: workloadEvidence(subject, ev.obj, c, ctx, (x) => x.waiting === "CrashLoopBackOff"),
            likelyCause:
              "the new version fails at start: a liveness probe that kills a slow start (PRB-01), configuration the new version rejects or misses, or a missing ConfigMap/Secret.",
            hint: previousLogsHint(ev.obj, c.name),
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
            evidence: workloadEvidence(
              subject,
              ev.obj,
              c,
              ctx,
              (x) => x.waiting !== "CrashLoopBackOff" && x.restarts >= ctx.options.restartThreshold,
            ),
            likelyCause: "the container keeps exiting or being killed; check its last exit reason and its probes.",
            hint: previousLogsHint(ev.obj, c.name),
            observedAt: ctx.now,
          },
        ];
      }
    }
    return [];
  },
};

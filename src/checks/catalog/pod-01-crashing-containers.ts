// POD-01: containers crash-looping or restarting right now. Upgrading on top of a workload that
// is already failing hides whether the upgrade broke it (INCIDENTS case 2: the Botkube plugin
// restarted 10 times after a config change and was then disabled). Reported once per workload.
import type { KubeObject } from "../../kube/resources.ts";
import { containerStatuses, createOwnerResolver, describeRef, groupByOwner } from "../ownership.ts";
import type { Check, CheckContext, FindingInput } from "../types.ts";

const HOUR_MS = 60 * 60 * 1000;

interface Crash {
  pod: string;
  container: string;
  restarts: number;
  crashLoop: boolean;
  /** "state.waiting.reason=CrashLoopBackOff" or "lastState.terminated … finishedAt=…". */
  detail: string;
  lastMessage?: string;
}

function crashesOf(pod: KubeObject, now: Date): Crash[] {
  const out: Crash[] = [];
  for (const s of containerStatuses(pod)) {
    const name = typeof s.name === "string" ? s.name : "(unnamed)";
    const restarts = typeof s.restartCount === "number" && s.restartCount > 0 ? s.restartCount : 0;
    const waiting = s.state?.waiting;
    const terminated = s.lastState?.terminated;
    const lastExit =
      terminated && typeof terminated === "object"
        ? `lastState.terminated exitCode=${terminated.exitCode} reason=${terminated.reason} finishedAt=${terminated.finishedAt}`
        : undefined;
    const lastMessage =
      typeof terminated?.message === "string" ? terminated.message.split("\n")[0].slice(0, 200) : undefined;
    if (waiting?.reason === "CrashLoopBackOff") {
      out.push({
        pod: pod.metadata?.name ?? "(unnamed)",
        container: name,
        restarts,
        crashLoop: true,
        detail: [`state.waiting.reason=CrashLoopBackOff`, lastExit].filter(Boolean).join(", "),
        lastMessage,
      });
      continue;
    }
    const finished = typeof terminated?.finishedAt === "string" ? Date.parse(terminated.finishedAt) : Number.NaN;
    const age = now.getTime() - finished;
    if (restarts > 0 && !Number.isNaN(finished) && age >= 0 && age <= HOUR_MS) {
      out.push({
        pod: pod.metadata?.name ?? "(unnamed)",
        container: name,
        restarts,
        crashLoop: false,
        detail: lastExit ?? "",
        lastMessage,
      });
    }
  }
  return out;
}

export const pod01CrashingContainers: Check = {
  id: "POD-01",
  severity: "high",
  title: "Containers crash-looping or restarted in the last hour",
  remediation:
    "Fix the crashing workload before upgrading (kubectl logs --previous, kubectl describe pod); otherwise the upgrade's own failures cannot be told apart from this one.",
  reads: ["pods", "replicasets"],
  evaluate(ctx: CheckContext): FindingInput[] {
    const resolve = createOwnerResolver(ctx.objects("replicasets"));
    const entries: Array<{ pod: KubeObject; item: Crash }> = [];
    for (const pod of ctx.objects("pods")) {
      if (!pod || typeof pod !== "object") continue;
      for (const item of crashesOf(pod, ctx.now)) entries.push({ pod, item });
    }
    return groupByOwner(entries, resolve).map(({ owner, items }) => {
      const pods = new Set(items.map((c) => c.pod));
      const containers = [...new Set(items.map((c) => c.container))];
      const looping = items.filter((c) => c.crashLoop);
      const worst = items.reduce((a, b) => (b.restarts > a.restarts ? b : a));
      const state = looping.length > 0 ? "is in CrashLoopBackOff" : "restarted in the last hour";
      const podCount = pods.size === 1 ? `pod ${worst.pod}` : `${pods.size} pods`;
      const message = `Container ${containers.join(", ")} of ${describeRef(owner)} ${state} (${podCount}, up to ${worst.restarts} restarts).`;
      const sample = looping[0] ?? worst;
      return {
        object: owner,
        message,
        evidence: `pod ${sample.pod} container ${sample.container}: ${sample.detail}, restartCount=${sample.restarts}${sample.lastMessage ? `; last message: ${sample.lastMessage}` : ""}`,
        remediation: `Find why ${describeRef(owner)} crashes: kubectl logs -n ${owner.namespace ?? "default"} ${sample.pod} -c ${sample.container} --previous; fix it (often a configuration change) before upgrading.`,
      };
    });
  },
};

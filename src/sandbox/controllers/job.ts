// The Job controller: up to spec.parallelism pods at a time (named job-name + 5 random characters,
// labelled batch.kubernetes.io/job-name and controller-uid) until spec.completions have
// Succeeded, then completionTime and the Complete condition (what `kubectl wait
// --for=condition=complete` and helm --wait read). Pods that never become ready never finish.
// Sources: kubernetes.io/docs/concepts/workloads/controllers/job/ ("Parallel execution for Jobs",
// "Job termination and cleanup"); the labels: kubernetes.io/docs/reference/labels-annotations-taints/.
import type { KubeObject } from "../../kube/resources.ts";
import { nowTimestamp } from "../store.ts";
import {
  type ControllerContext,
  condition,
  createPod,
  get,
  isPodReady,
  type Loose,
  neverReady,
  newPodName,
  owned,
  ownerOf,
  pickNode,
  podPhase,
  save,
  startPod,
} from "./common.ts";

export function reconcileJob(ctx: ControllerContext, namespace: string, name: string): void {
  const job = get(ctx, "Job", namespace, name);
  if (!job) return;
  const spec = (job.spec ?? {}) as Loose;
  const prev = (job.status ?? {}) as Loose;
  if (((prev.conditions ?? []) as Loose[]).some((c) => c.type === "Complete" && c.status === "True")) return;
  const parallelism = typeof spec.parallelism === "number" ? spec.parallelism : 1;
  const completions = typeof spec.completions === "number" ? spec.completions : Math.max(1, parallelism);
  const never = neverReady(job, spec.template);
  const uid = job.metadata?.uid ?? "";
  const pods = owned(ctx, ctx.info("Pod"), namespace, "Job", name);
  const succeeded = pods.filter((p) => podPhase(p) === "Succeeded").length;
  let active = pods.filter((p) => podPhase(p) !== "Succeeded" && podPhase(p) !== "Failed");
  const toStart = spec.suspend ? 0 : Math.max(0, Math.min(parallelism, completions - succeeded) - active.length);
  for (let i = 0; i < toStart; i++) {
    const podName = newPodName(ctx, namespace, name);
    const pod = createPod(ctx, {
      namespace,
      name: podName,
      template: spec.template,
      owner: ownerOf(job),
      nodeName: pickNode(ctx, i),
      labels: {
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": name,
        "controller-uid": uid,
        "job-name": name,
      },
      // Job pods run to completion; the API server refuses restartPolicy Always on a Job.
      extraSpec: { restartPolicy: spec.template?.spec?.restartPolicy ?? "Never" },
    });
    active = [...active, pod];
    startPod(ctx, namespace, podName, never, { kind: "Job", name });
  }
  const done = succeeded >= completions;
  const now = nowTimestamp();
  const next: KubeObject = structuredClone(job);
  const status: Loose = {
    startTime: prev.startTime ?? now,
    ...(active.length > 0 && !done ? { active: active.length } : {}),
    ...(succeeded > 0 ? { succeeded } : {}),
    ready: active.filter(isPodReady).length,
    terminating: 0,
    uncountedTerminatedPods: {},
  };
  if (done) {
    status.completionTime = now;
    // Only Complete: newer servers also add SuccessCriteriaMet first, which the sandbox does not model per version.
    const { lastUpdateTime: _u, ...complete } = condition(
      "Complete",
      "True",
      "CompletionsReached",
      "Reached expected number of succeeded pods",
    );
    status.conditions = [{ ...complete, lastProbeTime: now }];
  }
  next.status = status;
  save(ctx, "Job", next);
}

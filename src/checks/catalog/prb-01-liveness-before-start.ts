// PRB-01: a liveness probe that fires before the container has finished starting kills it in a
// loop (INCIDENTS case 1: Botkube downloads kubectl at start; on a slow link the download outlasts
// `initialDelaySeconds: 10`). A startupProbe holds liveness off until the app is up, so a short
// liveness window WITH a startupProbe is fine and never reported.
import type { KubeObject } from "../../kube/resources.ts";
import {
  containerStatuses,
  createOwnerResolver,
  describeRef,
  findWorkload,
  groupByOwner,
  type Loose,
  podContainers,
} from "../ownership.ts";
import type { Check, CheckContext, FindingInput, ObjectRef } from "../types.ts";

export const OBSERVED_START_ANNOTATION = "upshift.dev/observed-start-seconds";

/** Below this a liveness window is "short" for a container that downloads at start. */
const SHORT_WINDOW_SECONDS = 60;

/** Commands that fetch binaries at start: curl/wget, or well-known download hosts and paths. */
const DOWNLOAD_PATTERN = /\b(?:curl|wget)\b|dl\.k8s\.io|get\.helm\.sh|releases\/download|kubernetes-release\/release/i;

function nonNegative(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : fallback;
}

export interface LivenessWindow {
  initialDelaySeconds: number;
  periodSeconds: number;
  failureThreshold: number;
  /** initialDelaySeconds + failureThreshold × periodSeconds: when the kubelet kills a never-healthy container. */
  seconds: number;
}

/** Kubernetes defaults: initialDelaySeconds 0, periodSeconds 10, failureThreshold 3. */
export function livenessWindow(probe: Loose): LivenessWindow {
  const initialDelaySeconds = nonNegative(probe.initialDelaySeconds, 0);
  const periodSeconds = nonNegative(probe.periodSeconds, 10) || 10;
  const failureThreshold = nonNegative(probe.failureThreshold, 3) || 3;
  return {
    initialDelaySeconds,
    periodSeconds,
    failureThreshold,
    seconds: initialDelaySeconds + failureThreshold * periodSeconds,
  };
}

function secondsBetween(from: unknown, to: unknown): number | undefined {
  if (typeof from !== "string" || typeof to !== "string") return undefined;
  const a = Date.parse(from);
  const b = Date.parse(to);
  if (Number.isNaN(a) || Number.isNaN(b) || b < a) return undefined;
  return Math.round((b - a) / 1000);
}

function annotationSeconds(o: KubeObject | undefined): number | undefined {
  const raw = o?.metadata?.annotations?.[OBSERVED_START_ANNOTATION];
  if (typeof raw !== "string" || raw.trim() === "") return undefined;
  const n = Number(raw.trim().replace(/s$/, ""));
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

interface Observation {
  pod: string;
  container: string;
  window: LivenessWindow;
  restarts: number;
  /** Observed start in seconds and where it came from. */
  start?: { seconds: number; source: string };
  /** Last run killed (137/Error) shortly after start: liveness killed it before it was up. */
  killedEarly?: { seconds: number; detail: string };
  download?: string;
}

function observedStart(
  pod: KubeObject,
  workload: KubeObject | undefined,
  status: Loose | undefined,
): Observation["start"] {
  const podAnn = annotationSeconds(pod);
  if (podAnn !== undefined) {
    return { seconds: podAnn, source: `annotation ${OBSERVED_START_ANNOTATION}=${podAnn} on the pod` };
  }
  const wlAnn = annotationSeconds(workload);
  if (wlAnn !== undefined) {
    return { seconds: wlAnn, source: `annotation ${OBSERVED_START_ANNOTATION}=${wlAnn} on ${workload?.kind}` };
  }
  const running = status?.state?.running;
  if (status?.ready !== true || !running || typeof running !== "object") return undefined;
  const conditions: Loose[] = Array.isArray(pod.status?.conditions) ? pod.status.conditions : [];
  // ContainersReady is the containers' own transition; Ready also waits for readiness gates.
  const ready =
    conditions.find((c) => c?.type === "ContainersReady" && c.status === "True") ??
    conditions.find((c) => c?.type === "Ready" && c.status === "True");
  const seconds = secondsBetween(running.startedAt, ready?.lastTransitionTime);
  if (seconds === undefined) return undefined;
  return {
    seconds,
    source: `state.running.startedAt=${running.startedAt} → ${ready?.type} at ${ready?.lastTransitionTime}`,
  };
}

function killedEarly(status: Loose | undefined, window: LivenessWindow): Observation["killedEarly"] {
  const t = status?.lastState?.terminated;
  if (!t || typeof t !== "object") return undefined;
  // The kubelet kills a container failing liveness with SIGKILL: exit 137, reason "Error"
  // (OOMKilled is also 137 but says so). A panic or a clean crash exits otherwise.
  if (t.exitCode !== 137 || t.reason === "OOMKilled") return undefined;
  const ran = secondsBetween(t.startedAt, t.finishedAt);
  // Killed between the initial delay and the liveness window (plus a probe period or two of
  // slack) means the probe killed a container still starting, not one that ran and then died.
  if (ran === undefined || ran < window.initialDelaySeconds || ran > window.seconds + 2 * window.periodSeconds) {
    return undefined;
  }
  return { seconds: ran, detail: `lastState.terminated exitCode=${t.exitCode} reason=${t.reason} after ${ran}s` };
}

function downloadCommand(c: Loose): string | undefined {
  const parts = [c.command, c.args].flatMap((v) => (Array.isArray(v) ? v.filter((x) => typeof x === "string") : []));
  const text = parts.join(" ");
  const m = DOWNLOAD_PATTERN.exec(text);
  if (!m) return undefined;
  const at = Math.max(0, m.index - 20);
  return text.slice(at, m.index + 60).trim();
}

function observe(pod: KubeObject, workload: KubeObject | undefined): Observation[] {
  const out: Observation[] = [];
  const statuses = containerStatuses(pod);
  for (const { c } of podContainers(pod.spec)) {
    const liveness = c.livenessProbe;
    if (!liveness || typeof liveness !== "object" || c.startupProbe) continue;
    const name = typeof c.name === "string" ? c.name : "(unnamed)";
    const window = livenessWindow(liveness);
    const status = statuses.find((s) => s.name === name);
    const restarts = nonNegative(status?.restartCount, 0);
    const start = observedStart(pod, workload, status);
    const killed = restarts > 0 ? killedEarly(status, window) : undefined;
    const download = window.seconds < SHORT_WINDOW_SECONDS ? downloadCommand(c) : undefined;
    const slow = start !== undefined && start.seconds > window.seconds;
    if (!slow && !killed && !download) continue;
    out.push({
      pod: pod.metadata?.name ?? "(unnamed)",
      container: name,
      window,
      restarts,
      start: slow ? start : undefined,
      killedEarly: killed,
      download,
    });
  }
  return out;
}

function finding(owner: ObjectRef, obs: Observation[]): FindingInput {
  const first = obs[0];
  const w = first.window;
  const slowest = obs.reduce<Observation | undefined>(
    (best, o) => (o.start && (!best?.start || o.start.seconds > best.start.seconds) ? o : best),
    undefined,
  );
  const killed = obs.find((o) => o.killedEarly);
  const restarts = obs.reduce((sum, o) => sum + o.restarts, 0);
  const pods = new Set(obs.map((o) => o.pod)).size;
  const startBased = Boolean(slowest || killed);
  const where = `container ${first.container} of ${describeRef(owner)}`;
  const podsText = pods > 1 ? ` (${pods} pods)` : "";
  let message: string;
  if (slowest?.start) {
    message = `The ${where} takes ${slowest.start.seconds}s to start but its liveness probe kills it after ${w.seconds}s and it has no startupProbe${podsText}.`;
  } else if (killed?.killedEarly) {
    message = `The ${where} was killed after ${killed.killedEarly.seconds}s, inside its ${w.seconds}s liveness window, before it became ready, and it has no startupProbe${podsText}.`;
  } else {
    message = `The ${where} downloads binaries at start but its liveness probe kills it after ${w.seconds}s and it has no startupProbe: on a slow link it restarts in a loop${podsText}.`;
  }
  if (restarts > 0) message += ` Restarted ${restarts} times.`;
  const evidence = [
    `livenessProbe initialDelaySeconds=${w.initialDelaySeconds} periodSeconds=${w.periodSeconds} failureThreshold=${w.failureThreshold} → window ${w.seconds}s`,
    "startupProbe absent",
    slowest?.start
      ? `observed start ${slowest.start.seconds}s (pod ${slowest.pod}: ${slowest.start.source})`
      : undefined,
    killed?.killedEarly ? `pod ${killed.pod}: ${killed.killedEarly.detail}` : undefined,
    restarts > 0 ? `restartCount=${restarts}` : undefined,
    obs.find((o) => o.download)?.download ? `command: ${obs.find((o) => o.download)?.download}` : undefined,
  ]
    .filter(Boolean)
    .join("; ");
  const needed = Math.max(slowest?.start?.seconds ?? 0, killed?.killedEarly?.seconds ?? 0, 2 * w.seconds, 60);
  const failureThreshold = Math.ceil(needed / w.periodSeconds) + 1;
  return {
    object: owner,
    severity: startBased && restarts > 0 ? "high" : "medium",
    message,
    evidence,
    remediation: `Add a startupProbe to container ${first.container} (same check as the liveness probe, periodSeconds: ${w.periodSeconds}, failureThreshold: ${failureThreshold}, about ${failureThreshold * w.periodSeconds}s) so liveness only starts once it is up; as a stopgap raise livenessProbe.initialDelaySeconds above the observed start time.`,
  };
}

export const prb01LivenessBeforeStart: Check = {
  id: "PRB-01",
  severity: "medium",
  title: "Liveness probe fires before the container has started",
  remediation:
    "Add a startupProbe whose window (failureThreshold × periodSeconds) covers the slowest observed start, or raise livenessProbe.initialDelaySeconds; pre-bake downloaded binaries into the image.",
  reads: ["pods", "replicasets", "deployments", "statefulsets", "daemonsets"],
  evaluate(ctx: CheckContext): FindingInput[] {
    const resolve = createOwnerResolver(ctx.objects("replicasets"));
    const workloads = [ctx.objects("deployments"), ctx.objects("statefulsets"), ctx.objects("daemonsets")];
    const entries: Array<{ pod: KubeObject; item: Observation }> = [];
    for (const pod of ctx.objects("pods")) {
      if (!pod || typeof pod !== "object") continue;
      // Most pods have no liveness probe or a startup probe beside it: skip them before the
      // owner lookup, which is the expensive part on 10,000 pods.
      if (
        !podContainers(pod.spec).some(
          ({ c }) => c.livenessProbe && typeof c.livenessProbe === "object" && !c.startupProbe,
        )
      )
        continue;
      const owner = resolve(pod);
      const workload = owner.kind === "Pod" ? undefined : findWorkload(owner, workloads);
      for (const item of observe(pod, workload)) entries.push({ pod, item });
    }
    // One finding per workload and container: the pods of a Deployment share one template.
    const out: FindingInput[] = [];
    for (const group of groupByOwner(entries, resolve)) {
      const byContainer = new Map<string, Observation[]>();
      for (const o of group.items) {
        const list = byContainer.get(o.container);
        if (list) list.push(o);
        else byContainer.set(o.container, [o]);
      }
      for (const obs of byContainer.values()) out.push(finding(group.owner, obs));
    }
    return out;
  },
};

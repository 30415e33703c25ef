// The Deployment controller: one ReplicaSet per pod template (named deployment-name + hash, the
// pod-template-hash label on it, its selector and its template; controller ownerReference; the
// deployment.kubernetes.io/revision annotation counting up, a rollback reusing the old ReplicaSet
// with the next revision), the new ReplicaSet scaled to spec.replicas and the old ones to 0 once
// the new one is fully available (RollingUpdate with all the surge it needs) or first (Recreate),
// and the status kubectl rollout status and helm --wait read.
// Sources: kubernetes.io/docs/concepts/workloads/controllers/deployment/ ("Deployment status",
// "Progress Deadline Seconds"); kubernetes/kubernetes pkg/controller/deployment/sync.go
// (calculateStatus) and util/deployment_util.go (condition reasons and messages).
import { randomUUID } from "node:crypto";
import type { KubeObject } from "../../kube/resources.ts";
import { nowTimestamp } from "../store.ts";
import {
  type ControllerContext,
  canonicalJson,
  condition,
  controllerRef,
  get,
  type Loose,
  neverReady,
  omitZeroCounts,
  owned,
  ownerOf,
  replicasOf,
  save,
  templateHash,
} from "./common.ts";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
const HASH_LABEL = "pod-template-hash";
const DEFAULT_PROGRESS_DEADLINE_S = 600;

/** When each Deployment's current rollout began (generation, ms), for the progress deadline. */
export type RolloutClock = Map<string, { generation: number; since: number }>;

function withoutHash(template: Loose): Loose {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels[HASH_LABEL];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  if (t.metadata && Object.keys(t.metadata).length === 0) delete t.metadata;
  return t;
}

function revisionOf(rs: KubeObject): number {
  const n = Number(rs.metadata?.annotations?.[REVISION_ANNOTATION]);
  return Number.isFinite(n) ? n : 0;
}

/** maxUnavailable as a count (default 25%, rounded down; percentages of replicas). */
function maxUnavailable(d: KubeObject, replicas: number): number {
  const spec = d.spec as Loose;
  if (spec?.strategy?.type === "Recreate") return 0;
  const v = spec?.strategy?.rollingUpdate?.maxUnavailable ?? "25%";
  if (typeof v === "number") return Math.min(v, replicas);
  const m = /^(\d+)%$/.exec(String(v));
  return m ? Math.floor((Number(m[1]) * replicas) / 100) : 0;
}

/** maxSurge as a count (default 25%, rounded up; 0 for Recreate). */
function maxSurge(d: KubeObject, replicas: number): number {
  const spec = d.spec as Loose;
  if (spec?.strategy?.type === "Recreate") return 0;
  const v = spec?.strategy?.rollingUpdate?.maxSurge ?? "25%";
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(String(v));
  return m ? Math.ceil((Number(m[1]) * replicas) / 100) : 0;
}

export function reconcileDeployment(ctx: ControllerContext, namespace: string, name: string, clock: RolloutClock) {
  const d = get(ctx, "Deployment", namespace, name);
  if (!d) return;
  const spec = (d.spec ?? {}) as Loose;
  const replicas = replicasOf(d);
  const generation = Number(d.metadata?.generation ?? 1);
  const rsInfo = ctx.info("ReplicaSet");
  const all = owned(ctx, rsInfo, namespace, "Deployment", name);
  const wanted = canonicalJson(withoutHash(spec.template));
  let current = all.find((rs) => canonicalJson(withoutHash((rs.spec as Loose)?.template)) === wanted);
  const maxRevision = Math.max(0, ...all.map(revisionOf));
  const old = all.filter((rs) => rs !== current);

  if (!current) {
    const collisionCount = (d.status as Loose)?.collisionCount;
    const hash = templateHash(spec.template, collisionCount);
    const template = structuredClone(spec.template ?? {});
    template.metadata = {
      ...(template.metadata ?? {}),
      labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash },
    };
    const rs: KubeObject = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${name}-${hash}`,
        namespace,
        uid: randomUUID(),
        creationTimestamp: nowTimestamp(),
        generation: 1,
        labels: { ...(spec.template?.metadata?.labels ?? {}), [HASH_LABEL]: hash },
        annotations: {
          "deployment.kubernetes.io/desired-replicas": String(replicas),
          "deployment.kubernetes.io/max-replicas": String(replicas + maxSurge(d, replicas)),
          [REVISION_ANNOTATION]: String(maxRevision + 1),
        },
        ownerReferences: [controllerRef(ownerOf(d))],
      },
      spec: {
        replicas: 0,
        ...(spec.minReadySeconds ? { minReadySeconds: spec.minReadySeconds } : {}),
        selector: {
          ...(spec.selector ?? {}),
          matchLabels: { ...(spec.selector?.matchLabels ?? {}), [HASH_LABEL]: hash },
        },
        template,
      },
      status: { replicas: 0 },
    };
    save(ctx, "ReplicaSet", rs);
    current = rs;
  } else if (revisionOf(current) < maxRevision) {
    // A rollback: the old template's ReplicaSet comes back as the newest revision.
    current.metadata = {
      ...current.metadata,
      annotations: { ...(current.metadata?.annotations ?? {}), [REVISION_ANNOTATION]: String(maxRevision + 1) },
    };
    save(ctx, "ReplicaSet", current);
  }

  const start = clock.get(`${namespace}/${name}`);
  if (!start || start.generation !== generation) clock.set(`${namespace}/${name}`, { generation, since: Date.now() });

  const count = (rs: KubeObject, k: string) => ((rs.status as Loose)?.[k] as number | undefined) ?? 0;
  const oldPods = old.reduce((n, rs) => n + count(rs, "replicas"), 0);
  const recreate = spec.strategy?.type === "Recreate";
  const newTarget = spec.paused ? replicasOf(current) : recreate && oldPods > 0 ? 0 : replicas;
  scale(ctx, current, newTarget);
  const newAvailable = count(current, "availableReplicas");
  for (const rs of old) {
    if (recreate || (newAvailable >= replicas && count(current, "replicas") === replicas)) scale(ctx, rs, 0);
  }

  // Status from the ReplicaSets as they are now (their controller updates them as pods move).
  const fresh = owned(ctx, rsInfo, namespace, "Deployment", name);
  const newRs = fresh.find((rs) => rs.metadata?.name === current.metadata?.name) ?? current;
  const sum = (k: string) => fresh.reduce((n, rs) => n + count(rs, k), 0);
  const statusReplicas = sum("replicas");
  const updated = count(newRs, "replicas");
  const ready = sum("readyReplicas");
  const available = sum("availableReplicas");
  const specTotal = fresh.reduce((n, rs) => n + replicasOf(rs), 0);
  const prev = (d.status ?? {}) as Loose;
  const prevCond = (type: string) => ((prev.conditions ?? []) as Loose[]).find((c) => c.type === type);
  const rsName = newRs.metadata?.name;
  const complete = updated === replicas && available === replicas && statusReplicas === replicas;
  const deadlineMs = progressDeadlineMs(ctx, d, newRs);
  const rolloutStart = clock.get(`${namespace}/${name}`)?.since ?? Date.now();
  const overdue = !complete && Date.now() - rolloutStart >= deadlineMs;
  const wasExceeded =
    prevCond("Progressing")?.reason === "ProgressDeadlineExceeded" && prev.observedGeneration === generation;
  const progressing = complete
    ? condition(
        "Progressing",
        "True",
        "NewReplicaSetAvailable",
        `ReplicaSet "${rsName}" has successfully progressed.`,
        prevCond("Progressing"),
      )
    : overdue || wasExceeded
      ? condition(
          "Progressing",
          "False",
          "ProgressDeadlineExceeded",
          `ReplicaSet "${rsName}" has timed out progressing.`,
          prevCond("Progressing"),
        )
      : condition(
          "Progressing",
          "True",
          "ReplicaSetUpdated",
          `ReplicaSet "${rsName}" is progressing.`,
          prevCond("Progressing"),
        );
  const availableOk = available >= replicas - maxUnavailable(d, replicas);
  const availableCond = availableOk
    ? condition(
        "Available",
        "True",
        "MinimumReplicasAvailable",
        "Deployment has minimum availability.",
        prevCond("Available"),
      )
    : condition(
        "Available",
        "False",
        "MinimumReplicasUnavailable",
        "Deployment does not have minimum availability.",
        prevCond("Available"),
      );
  const status: Loose = {
    observedGeneration: generation,
    replicas: statusReplicas,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specTotal - available),
    conditions: [availableCond, progressing],
  };
  omitZeroCounts(status, ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"]);
  if (prev.collisionCount !== undefined) status.collisionCount = prev.collisionCount;
  const next: KubeObject = structuredClone(d);
  next.metadata = {
    ...next.metadata,
    annotations: { ...(next.metadata?.annotations ?? {}), [REVISION_ANNOTATION]: String(revisionOf(newRs)) },
  };
  next.status = status;
  save(ctx, "Deployment", next);
  if (!complete && !overdue && !wasExceeded) {
    // Wake up at the deadline to report it, as the controller's requeue-after does.
    ctx.later(`deadline/${namespace}/${name}`, Math.max(1, rolloutStart + deadlineMs - Date.now()), () =>
      ctx.enqueue("Deployment", namespace, name),
    );
  }
}

/**
 * spec.progressDeadlineSeconds (the API server defaults it to 600 s). A rollout the sandbox knows
 * can never finish (`sandbox.upshift.dev/rollout: never`) reaches its deadline after the sandbox's
 * ready delay instead: simulated time, so a test of a stuck rollout need not wait ten minutes.
 */
function progressDeadlineMs(ctx: ControllerContext, d: KubeObject, rs: KubeObject): number {
  if (neverReady(d, (rs.spec as Loose)?.template)) return ctx.readyDelayMs;
  const s = (d.spec as Loose)?.progressDeadlineSeconds;
  return (typeof s === "number" ? s : DEFAULT_PROGRESS_DEADLINE_S) * 1000;
}

function scale(ctx: ControllerContext, rs: KubeObject, replicas: number): void {
  if (replicasOf(rs) === replicas) return;
  const fresh = get(ctx, "ReplicaSet", rs.metadata?.namespace ?? "", rs.metadata?.name ?? "");
  if (!fresh) return;
  fresh.spec = { ...(fresh.spec as Loose), replicas };
  fresh.metadata = { ...fresh.metadata, generation: Number(fresh.metadata?.generation ?? 1) + 1 };
  save(ctx, "ReplicaSet", fresh);
  ctx.enqueue("ReplicaSet", fresh.metadata?.namespace ?? "", fresh.metadata?.name ?? "");
}

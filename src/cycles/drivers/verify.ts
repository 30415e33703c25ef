// What "the add-on works again" means, for every driver: its workloads rolled out (observed
// generation current, all replicas updated and available), its pods Ready, and the preflight
// subset that catches a bad start (POD-01 crash loops, PRB-01 liveness before start, REF-01
// missing ConfigMaps/Secrets) clean on the add-on's namespace.
import { pod01CrashingContainers } from "../../checks/catalog/pod-01-crashing-containers.ts";
import { prb01LivenessBeforeStart } from "../../checks/catalog/prb-01-liveness-before-start.ts";
import { ref01MissingConfigRefs } from "../../checks/catalog/ref-01-missing-config-refs.ts";
import { contextFromObjects } from "../../checks/context.ts";
import { runChecks } from "../../checks/runner.ts";
import type { Check } from "../../checks/types.ts";
import type { ClusterClient } from "../../kube/clusterClient.ts";
import { type KubeObject, RESOURCES, type ResourceKey } from "../../kube/resources.ts";
import { plural } from "../../text/english.ts";
import type { VerifyResult } from "../types.ts";

export const VERIFY_CHECKS: readonly Check[] = [
  pod01CrashingContainers,
  prb01LivenessBeforeStart,
  ref01MissingConfigRefs,
];

export type RolloutState = { state: "available" | "progressing" | "failed"; reason: string };

// biome-ignore lint/suspicious/noExplicitAny: status fields are read defensively from raw JSON
type Loose = any;

export function rolloutState(o: KubeObject): RolloutState {
  const spec = (o.spec ?? {}) as Loose;
  const st = (o.status ?? {}) as Loose;
  const name = `${o.kind}/${o.metadata?.name}`;
  const gen = o.metadata?.generation ?? 1;
  if ((st.observedGeneration ?? 0) < gen)
    return { state: "progressing", reason: `${name}: generation ${gen} not observed yet` };
  if (o.kind === "DaemonSet") {
    const want = st.desiredNumberScheduled ?? 0;
    if ((st.numberAvailable ?? 0) < want || (st.updatedNumberScheduled ?? 0) < want)
      return { state: "progressing", reason: `${name}: ${st.numberAvailable ?? 0}/${want} available` };
    return { state: "available", reason: `${name}: ${want}/${want} available` };
  }
  const want = typeof spec.replicas === "number" ? spec.replicas : 1;
  const failed = (st.conditions ?? []).find((c: Loose) => c.type === "Progressing" && c.status === "False");
  if (failed) return { state: "failed", reason: `${name}: ${failed.reason}: ${failed.message}` };
  const available = st.availableReplicas ?? st.readyReplicas ?? 0;
  if (available < want || (st.updatedReplicas ?? want) < want)
    return { state: "progressing", reason: `${name}: ${available}/${want} available` };
  return { state: "available", reason: `${name}: ${want}/${want} available` };
}

const WORKLOAD_KEYS = ["deployments", "statefulsets", "daemonsets"] as const;

/** Waits until every workload in `namespace` (optionally limited to `names`) is available, failed, or the deadline passes. */
export async function waitForRollout(
  client: ClusterClient,
  namespace: string,
  opts: { deadlineMs: number; pollMs?: number; names?: ReadonlySet<string>; labelSelector?: string },
): Promise<VerifyResult> {
  const until = Date.now() + opts.deadlineMs;
  for (;;) {
    const states: RolloutState[] = [];
    for (const key of WORKLOAD_KEYS) {
      for (const o of await client.listAll(RESOURCES[key], { namespace, labelSelector: opts.labelSelector })) {
        if (opts.names && !opts.names.has(`${o.kind}/${o.metadata?.name}`)) continue;
        states.push(rolloutState(o));
      }
    }
    const bad = states.filter((s) => s.state !== "available");
    if (bad.length === 0) return { ok: true, details: states.map((s) => s.reason) };
    if (bad.some((s) => s.state === "failed") || Date.now() >= until) {
      const late = Date.now() >= until ? [`rollout not complete within ${Math.round(opts.deadlineMs / 1000)} s`] : [];
      return { ok: false, details: [...late, ...bad.map((s) => s.reason)] };
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}

/** Rollout, pods Ready and the POD-01/PRB-01/REF-01 subset on one namespace. */
export async function verifyNamespace(
  client: ClusterClient,
  namespace: string,
  opts: { deadlineMs: number; names?: ReadonlySet<string>; serverVersion?: string; labelSelector?: string },
): Promise<VerifyResult> {
  const rollout = await waitForRollout(client, namespace, opts);
  const details = [...rollout.details];
  let ok = rollout.ok;
  const keys = new Set<ResourceKey>(VERIFY_CHECKS.flatMap((c) => c.reads));
  const objects: KubeObject[] = [];
  // In a shared namespace (kube-system) the selector keeps other components' troubles out of this
  // add-on's verdict; ConfigMaps and Secrets stay namespace-wide so REF-01 sees every reference target.
  const selected = new Set<ResourceKey>(["pods", "replicasets"]);
  for (const key of keys) {
    const def = RESOURCES[key];
    const labelSelector = selected.has(key) ? opts.labelSelector : undefined;
    objects.push(...(await client.listAll(def, def.namespaced ? { namespace, labelSelector } : {})));
  }
  for (const pod of objects.filter((o) => o.kind === "Pod")) {
    const st = (pod.status ?? {}) as Loose;
    if (st.phase === "Succeeded") continue;
    const ready = (st.conditions ?? []).some((c: Loose) => c.type === "Ready" && c.status === "True");
    if (!ready) {
      ok = false;
      details.unshift(`Pod/${pod.metadata?.name} is not Ready (phase ${st.phase ?? "unknown"})`);
    }
  }
  const version = opts.serverVersion ?? "v1.31.0";
  const ctx = contextFromObjects(objects, {
    cluster: client.name,
    serverVersion: version,
    target: version.replace(/^v(\d+\.\d+).*/, "$1"),
  });
  const { findings } = await runChecks(VERIFY_CHECKS, ctx);
  const serious = findings.filter((f) => f.severity !== "info" && f.severity !== "low");
  for (const f of serious) details.unshift(`${f.check} ${f.object.kind}/${f.object.name}: ${f.message}`);
  if (serious.length > 0) ok = false;
  details.push(`checks ${VERIFY_CHECKS.map((c) => c.id).join(", ")}: ${plural(serious.length, "problem")}`);
  return { ok, details };
}

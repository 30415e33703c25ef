// REF-01: a pod that needs a ConfigMap or Secret that is not there never starts (it sits in
// CreateContainerConfigError or ContainerCreating). INCIDENTS case 3: a ConfigMap the Rancher pod
// needed was missing and the Harvester upgrade hung. References marked `optional: true` are fine.
import type { KubeObject } from "../../kube/resources.ts";
import {
  containerStatuses,
  createOwnerResolver,
  describeRef,
  groupByOwner,
  type Loose,
  podContainers,
} from "../ownership.ts";
import { plural } from "../../render/english.ts";
import type { Check, CheckContext, FindingInput } from "../types.ts";

interface Ref {
  kind: "ConfigMap" | "Secret";
  name: string;
  /** Where in the pod spec, e.g. "containers[app].env[DB_URL].valueFrom.configMapKeyRef". */
  field: string;
  /** A key that must exist in a ConfigMap (configMapKeyRef); Secrets are read for names only. */
  key?: string;
}

interface Problem {
  pod: string;
  /** The pod is up (phase Running, every container running): it started before the object went. */
  running: boolean;
  /** Stable identity for grouping one missing object across the pods of a workload. */
  id: string;
  ref?: Ref;
  missingKey?: boolean;
  /** A container stuck in CreateContainerConfigError with no missing reference we can name. */
  configError?: { container: string; message: string };
}

function isOptional(v: Loose | undefined): boolean {
  return v?.optional === true;
}

/** Every required ConfigMap/Secret reference in a pod spec. */
export function requiredRefs(spec: unknown): Ref[] {
  const refs: Ref[] = [];
  const add = (kind: Ref["kind"], src: Loose | undefined, nameField: string, field: string, key?: string) => {
    if (!src || typeof src !== "object" || isOptional(src)) return;
    const name = src[nameField];
    if (typeof name === "string" && name !== "") refs.push({ kind, name, field, key });
  };
  for (const { kind, c } of podContainers(spec)) {
    const where = `${kind === "container" ? "containers" : "initContainers"}[${c.name ?? "?"}]`;
    if (Array.isArray(c.env)) {
      for (const e of c.env) {
        const vf = e?.valueFrom;
        if (!vf || typeof vf !== "object") continue;
        const at = `${where}.env[${e.name ?? "?"}].valueFrom`;
        const cmKey = vf.configMapKeyRef;
        add(
          "ConfigMap",
          cmKey,
          "name",
          `${at}.configMapKeyRef`,
          typeof cmKey?.key === "string" ? cmKey.key : undefined,
        );
        add("Secret", vf.secretKeyRef, "name", `${at}.secretKeyRef`);
      }
    }
    if (Array.isArray(c.envFrom)) {
      c.envFrom.forEach((e: Loose, i: number) => {
        add("ConfigMap", e?.configMapRef, "name", `${where}.envFrom[${i}].configMapRef`);
        add("Secret", e?.secretRef, "name", `${where}.envFrom[${i}].secretRef`);
      });
    }
  }
  const volumes = spec && typeof spec === "object" ? (spec as Loose).volumes : undefined;
  if (Array.isArray(volumes)) {
    for (const v of volumes) {
      if (!v || typeof v !== "object") continue;
      const at = `volumes[${v.name ?? "?"}]`;
      add("ConfigMap", v.configMap, "name", `${at}.configMap`);
      add("Secret", v.secret, "secretName", `${at}.secret`);
      const sources = v.projected?.sources;
      if (Array.isArray(sources)) {
        sources.forEach((s: Loose, i: number) => {
          add("ConfigMap", s?.configMap, "name", `${at}.projected.sources[${i}].configMap`);
          add("Secret", s?.secret, "name", `${at}.projected.sources[${i}].secret`);
        });
      }
    }
  }
  return refs;
}

function namesByNamespace(objects: readonly KubeObject[]): Map<string, Map<string, KubeObject>> {
  const out = new Map<string, Map<string, KubeObject>>();
  for (const o of objects) {
    const name = o?.metadata?.name;
    if (!name) continue;
    const ns = o.metadata?.namespace ?? "";
    let m = out.get(ns);
    if (!m) {
      m = new Map();
      out.set(ns, m);
    }
    m.set(name, o);
  }
  return out;
}

function hasKey(cm: KubeObject, key: string): boolean {
  const inData = cm.data && typeof cm.data === "object" && Object.hasOwn(cm.data, key);
  const binary = cm.binaryData as Loose | undefined;
  return Boolean(inData || (binary && typeof binary === "object" && Object.hasOwn(binary, key)));
}

function isRunning(pod: KubeObject): boolean {
  const statuses = pod.status?.containerStatuses;
  return (
    pod.status?.phase === "Running" &&
    Array.isArray(statuses) &&
    statuses.length > 0 &&
    statuses.every((s: Loose) => s?.state?.running !== undefined && s.state.running !== null)
  );
}

/** "pod x" or "3 pods". */
function podsLabel(problems: readonly Problem[]): string {
  return problems.length === 1 ? `pod ${problems[0].pod}` : plural(problems.length, "pod");
}

/**
 * What the missing object does to the workload, counting only pods that are really down: pods
 * that started before the object went keep running, but any replacement (a drain during the
 * upgrade recreates them all) cannot start.
 */
function cannotStart(problems: readonly Problem[]): string {
  const down = problems.filter((p) => !p.running).length;
  if (down === 0)
    return `its running ${problems.length === 1 ? "pod keeps" : "pods keep"} going (${podsLabel(problems)}), but no new or restarted pod can start, and draining nodes for the upgrade replaces them all`;
  if (down === problems.length) return `its pods cannot start (${plural(down, "pod")} not running)`;
  const up = problems.length - down;
  return `its pods cannot start: ${down} of ${problems.length} pods ${down === 1 ? "is" : "are"} not running, and the ${up} still running will not come back once restarted or drained`;
}

export const ref01MissingConfigRefs: Check = {
  id: "REF-01",
  severity: "high",
  title: "Pods refer to a ConfigMap or Secret that does not exist",
  remediation:
    "Create the missing ConfigMap or Secret (or mark the reference optional: true if the app copes without it); pods cannot start until it exists.",
  reads: ["pods", "replicasets", "configmaps", "secrets"],
  evaluate(ctx: CheckContext): FindingInput[] {
    const resolve = createOwnerResolver(ctx.objects("replicasets"));
    const configMaps = namesByNamespace(ctx.objects("configmaps"));
    const secrets = namesByNamespace(ctx.objects("secrets"));
    const entries: Array<{ pod: KubeObject; item: Problem }> = [];
    for (const pod of ctx.objects("pods")) {
      if (!pod || typeof pod !== "object") continue;
      const ns = pod.metadata?.namespace ?? "";
      const podName = pod.metadata?.name ?? "(unnamed)";
      const running = isRunning(pod);
      const seen = new Set<string>();
      let named = false;
      for (const ref of requiredRefs(pod.spec)) {
        const existing = (ref.kind === "ConfigMap" ? configMaps : secrets).get(ns)?.get(ref.name);
        let id: string | undefined;
        let missingKey = false;
        if (!existing) id = `${ref.kind}/${ref.name}`;
        else if (ref.kind === "ConfigMap" && ref.key && !hasKey(existing, ref.key)) {
          id = `${ref.kind}/${ref.name}#${ref.key}`;
          missingKey = true;
        }
        if (!id || seen.has(id)) continue;
        seen.add(id);
        named = true;
        entries.push({ pod, item: { pod: podName, running, id, ref, missingKey } });
      }
      if (named) continue;
      // Stuck for a reason we cannot see in the snapshot (a Secret we were not allowed to list,
      // a missing key in a Secret): the kubelet's message still names it.
      for (const s of containerStatuses(pod)) {
        const w = s.state?.waiting;
        if (w?.reason !== "CreateContainerConfigError") continue;
        const message = typeof w.message === "string" ? w.message : "(no message)";
        entries.push({
          pod,
          item: { pod: podName, running, id: `error/${s.name}`, configError: { container: String(s.name), message } },
        });
        break;
      }
    }
    const out: FindingInput[] = [];
    for (const { owner, items } of groupByOwner(entries, resolve)) {
      const byId = new Map<string, Problem[]>();
      for (const p of items) {
        const list = byId.get(p.id);
        if (list) list.push(p);
        else byId.set(p.id, [p]);
      }
      for (const problems of byId.values()) {
        const p = problems[0];
        const pods = podsLabel(problems);
        const ns = owner.namespace ?? "default";
        if (p.configError) {
          out.push({
            object: owner,
            message: `Container ${p.configError.container} of ${describeRef(owner)} cannot start: CreateContainerConfigError (${pods}).`,
            evidence: `state.waiting.reason=CreateContainerConfigError message=${p.configError.message}`,
            remediation: `Create what the message names in namespace ${ns}, or fix the reference in ${describeRef(owner)}.`,
          });
          continue;
        }
        const ref = p.ref!;
        if (p.missingKey) {
          out.push({
            object: owner,
            message: `${describeRef(owner)} needs key ${ref.key} of ConfigMap ${ns}/${ref.name}, which does not have it (${pods}).`,
            evidence: `${ref.field} name=${ref.name} key=${ref.key}; ConfigMap has no such key`,
            remediation: `Add key ${ref.key} to ConfigMap ${ns}/${ref.name}, or set optional: true on the reference.`,
          });
          continue;
        }
        out.push({
          object: owner,
          message: `${describeRef(owner)} refers to ${ref.kind} ${ns}/${ref.name}, which does not exist: ${cannotStart(problems)}.`,
          evidence: `${ref.field} name=${ref.name}; ${ref.kind} not found in namespace ${ns}`,
          remediation: `Create ${ref.kind} ${ref.name} in namespace ${ns} (from the chart's values or a backup), or set optional: true on the reference if the app works without it.`,
        });
      }
    }
    return out;
  },
};

// Builds a CheckContext from plain objects: what the snapshot reader does after listing the
// API server, and what unit tests do with objects written inline or loaded from a scenario.
import { type KubeObject, RESOURCES, type ResourceKey } from "../kube/resources.ts";
import { requiredRefs } from "./ownership.ts";
import type { CheckContext, KubeletMetrics, SecretAccess } from "./types.ts";

/** Which resource keys an object belongs to (its kind, and the table's selectors where a key has them). */
export function resourceKeysOf(o: KubeObject): ResourceKey[] {
  const keys: ResourceKey[] = [];
  for (const [key, def] of Object.entries(RESOURCES) as Array<[ResourceKey, (typeof RESOURCES)[ResourceKey]]>) {
    if (def.kind !== o.kind || def.apiVersion !== o.apiVersion) continue;
    if ("labelSelector" in def && def.labelSelector && !matchesSelector(o, def.labelSelector)) continue;
    // The only field selector in RESOURCES is on a Secret's type.
    if ("fieldSelector" in def && def.fieldSelector && o.type !== def.fieldSelector.replace(/^type=/, "")) continue;
    keys.push(key);
  }
  return keys;
}

/** The one-requirement selectors of RESOURCES, as the API server applies them ("!=" also matches a missing label). */
function matchesSelector(o: KubeObject, selector: string): boolean {
  const m = /^([^!=]+)(!=|=)(.*)$/.exec(selector);
  if (!m) return false;
  const value = o.metadata?.labels?.[m[1]];
  return m[2] === "=" ? value === m[3] : value !== m[3];
}

export interface ContextOptions {
  cluster?: string;
  serverVersion: string;
  target: string;
  targetFull?: string;
  apiServerMetrics?: string;
  microk8sStatus?: unknown;
  kubeletMetrics?: KubeletMetrics;
  now?: Date;
  /** What the snapshot could read of Secrets; absent: everything was readable. */
  secrets?: SecretAccess;
}

/**
 * Objects written inline or loaded from a scenario: every Secret among them counts as one the
 * snapshot found by name (REF-01's metadata-only read), and every other referenced Secret as
 * asked about and missing, as on a cluster where all Secrets are readable.
 */
export function contextFromObjects(objects: Iterable<KubeObject>, opts: ContextOptions): CheckContext {
  const byKey = new Map<ResourceKey, KubeObject[]>();
  const secretNames = new Set<string>();
  const pods: KubeObject[] = [];
  for (const o of objects) {
    if (o.kind === "Secret" && o.apiVersion === "v1")
      secretNames.add(`${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`);
    if (o.kind === "Pod") pods.push(o);
    for (const key of resourceKeysOf(o)) {
      const list = byKey.get(key);
      if (list) list.push(o);
      else byKey.set(key, [o]);
    }
  }
  if (opts.secrets) return contextFromLists(byKey, opts);
  const refs = new Map<string, boolean>();
  for (const pod of pods)
    for (const ref of requiredRefs(pod.spec)) {
      const key = `${pod.metadata?.namespace ?? ""}/${ref.name}`;
      if (ref.kind === "Secret") refs.set(key, secretNames.has(key));
    }
  return contextFromLists(byKey, { ...opts, secrets: { helmUnreadable: [], refs, refsUnreadable: [] } });
}

export function contextFromLists(byKey: Map<ResourceKey, KubeObject[]>, opts: ContextOptions): CheckContext {
  return {
    cluster: opts.cluster ?? "test",
    serverVersion: opts.serverVersion,
    target: opts.target,
    targetFull: opts.targetFull ?? opts.target,
    objects: (key) => byKey.get(key) ?? [],
    apiServerMetrics: opts.apiServerMetrics,
    microk8sStatus: opts.microk8sStatus,
    kubeletMetrics: opts.kubeletMetrics,
    now: opts.now ?? new Date(),
    secrets: opts.secrets ?? { helmUnreadable: [], refs: new Map(), refsUnreadable: [] },
  };
}

// Builds a CheckContext from plain objects: what the snapshot reader does after listing the
// API server, and what unit tests do with objects written inline or loaded from a scenario.
import { type KubeObject, RESOURCES, type ResourceKey } from "../kube/resources.ts";
import type { CheckContext, KubeletMetrics } from "./types.ts";

/** Which resource keys an object belongs to (a Helm release Secret is both `secrets` and `helmReleases`). */
export function resourceKeysOf(o: KubeObject): ResourceKey[] {
  const keys: ResourceKey[] = [];
  for (const [key, def] of Object.entries(RESOURCES) as Array<[ResourceKey, (typeof RESOURCES)[ResourceKey]]>) {
    if (def.kind !== o.kind || def.apiVersion !== o.apiVersion) continue;
    if ("labelSelector" in def && def.labelSelector && !matchesSelector(o, def.labelSelector)) continue;
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
}

export function contextFromObjects(objects: Iterable<KubeObject>, opts: ContextOptions): CheckContext {
  const byKey = new Map<ResourceKey, KubeObject[]>();
  for (const o of objects) {
    for (const key of resourceKeysOf(o)) {
      const list = byKey.get(key);
      if (list) list.push(o);
      else byKey.set(key, [o]);
    }
  }
  return contextFromLists(byKey, opts);
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
  };
}

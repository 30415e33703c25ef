// Reads the cluster once for a whole preflight run: the union of the resources every check
// declares, each listed in pages, a few lists in flight at a time. On a big cluster this is
// where the time goes; the checks themselves only walk memory.
import type { ClusterClient } from "../kube/clusterClient.ts";
import { type KubeObject, RESOURCES, type ResourceDef, type ResourceKey } from "../kube/resources.ts";
import { ClusterAccessError } from "../errors/clusterAccessError.ts";

/** Lists that are usually the largest start first, so the longest read never starts last. */
const LARGEST_FIRST: readonly ResourceKey[] = [
  "pods",
  "events",
  "replicasets",
  "secrets",
  "helmReleases",
  "configmaps",
];

export interface SnapshotOptions {
  /** Lists in flight at once. Each is itself paged (client pageSize), so memory stays bounded per request. */
  concurrency?: number;
  readMetrics?: boolean;
}

export interface Snapshot {
  lists: Map<ResourceKey, KubeObject[]>;
  apiServerMetrics?: string;
  /** API requests made, for the benchmark's report. */
  requests: number;
}

export const DEFAULT_LIST_CONCURRENCY = 4;

export async function readSnapshot(
  client: ClusterClient,
  keys: Iterable<ResourceKey>,
  opts: SnapshotOptions = {},
): Promise<Snapshot> {
  const wanted = new Set(keys);
  // Helm release Secrets are a subset of Secrets: when both are wanted, list Secrets once.
  const deriveHelm = wanted.has("helmReleases") && wanted.has("secrets");
  if (deriveHelm) wanted.delete("helmReleases");

  const lists = new Map<ResourceKey, KubeObject[]>();
  let requests = 0;
  const rank = (k: ResourceKey) => (LARGEST_FIRST.includes(k) ? LARGEST_FIRST.indexOf(k) : LARGEST_FIRST.length);
  const queue = [...wanted].sort((a, b) => rank(a) - rank(b));
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_LIST_CONCURRENCY);
  const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      const all: KubeObject[] = [];
      const def: ResourceDef = RESOURCES[key];
      try {
        for await (const page of client.listPages(def)) {
          requests++;
          for (const o of page.items) all.push(o);
        }
      } catch (err) {
        // An optional resource this cluster does not serve (a GA version newer than the cluster,
        // an alpha nobody enabled): nothing of it exists to check. Every other failure stands.
        if (!(def.optional && err instanceof ClusterAccessError && err.status === 404)) throw err;
        requests++;
        all.length = 0;
      }
      lists.set(key, all);
      if (key === "secrets" && deriveHelm)
        lists.set(
          "helmReleases",
          all.filter((s) => s.metadata?.labels?.owner === "helm"),
        );
    }
  });
  let apiServerMetrics: string | undefined;
  const metrics = opts.readMetrics
    ? client.getText("/metrics", {}, "read the API server's /metrics", "text/plain").then(
        (text) => {
          requests++;
          apiServerMetrics = text;
        },
        (err) => {
          // Metrics are often forbidden to non-admins; API-03 then stays quiet rather than failing the run.
          if (!(err instanceof ClusterAccessError)) throw err;
        },
      )
    : Promise.resolve();
  await Promise.all([...workers, metrics]);
  return { lists, apiServerMetrics, requests };
}

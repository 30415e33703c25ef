// Reads the cluster once for a whole preflight run: the union of the resources every check
// declares, each listed in pages, a few lists in flight at a time. On a big cluster this is
// where the time goes; the checks themselves only walk memory.
import type { ClusterClient } from "../kube/clusterClient.ts";
import { type KubeObject, RESOURCES, type ResourceDef, type ResourceKey } from "../kube/resources.ts";
import { ClusterAccessError } from "../errors/clusterAccessError.ts";
import { projectForChecks } from "./projection.ts";
import type { KubeletMetrics } from "./types.ts";

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
  /** Read kubelets' /metrics through the node proxy (needs nodes/proxy, an opt-in grant). */
  readNodeMetrics?: boolean;
  /** Drop, as pages arrive, what no check reads (projection.ts); default true. */
  project?: boolean;
}

export interface Snapshot {
  lists: Map<ResourceKey, KubeObject[]>;
  apiServerMetrics?: string;
  kubeletMetrics?: KubeletMetrics;
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
  const project = opts.project ?? true;
  const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      const all: KubeObject[] = [];
      const def: ResourceDef = RESOURCES[key];
      try {
        for await (const page of client.listPages(def)) {
          requests++;
          if (project) for (const o of page.items) all.push(projectForChecks(key, o));
          else for (const o of page.items) all.push(o);
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
  let kubeletMetrics: KubeletMetrics | undefined;
  if (opts.readNodeMetrics) {
    const nodes = lists.get("nodes") ?? (await client.listAll(RESOURCES.nodes));
    const read = await readKubeletMetrics(client, nodes, concurrency);
    requests += read.requests;
    kubeletMetrics = read.metrics;
  }
  return { lists, apiServerMetrics, kubeletMetrics, requests };
}

/** Kubelets read per node group (same OS image, kernel, runtime, kubelet): they answer alike. */
export const KUBELET_METRICS_PER_GROUP = 3;

export const NODE_PROXY_FORBIDDEN =
  "not read, nodes/proxy is not granted (opt-in: deploy/kubernetes/components/node-metrics)";

/**
 * Kubelet /metrics through `/api/v1/nodes/NAME/proxy/metrics`, for a few nodes of each node group
 * (a kubelet's metrics are hundreds of kilobytes; nodes of one image answer alike, and the checks
 * judge per group). The first 403 ends the reading: without the grant every other node would be
 * refused too, and one refusal per run is all the audit log needs to show.
 */
export async function readKubeletMetrics(
  client: ClusterClient,
  nodes: readonly KubeObject[],
  concurrency = DEFAULT_LIST_CONCURRENCY,
): Promise<{ metrics: KubeletMetrics; requests: number }> {
  const perGroup = new Map<string, number>();
  const queue: string[] = [];
  for (const n of nodes) {
    const name = n?.metadata?.name;
    if (typeof name !== "string" || name === "") continue;
    const info = n.status?.nodeInfo ?? {};
    const key = JSON.stringify([info.osImage, info.kernelVersion, info.containerRuntimeVersion, info.kubeletVersion]);
    const seen = perGroup.get(key) ?? 0;
    if (seen >= KUBELET_METRICS_PER_GROUP) continue;
    perGroup.set(key, seen + 1);
    queue.push(name);
  }
  const byNode = new Map<string, string>();
  const failures: string[] = [];
  let forbidden = false;
  let requests = 0;
  const readOne = async (name: string) => {
    requests++;
    try {
      const text = await client.getText(
        `/api/v1/nodes/${encodeURIComponent(name)}/proxy/metrics`,
        {},
        `read the kubelet metrics of node ${name} (nodes/proxy)`,
        "text/plain",
      );
      byNode.set(name, text);
    } catch (err) {
      if (!(err instanceof ClusterAccessError)) throw err;
      if (err.status === 403) forbidden = true;
      else failures.push(`${name}: ${err.status ? `HTTP ${err.status}` : "no answer"}`);
    }
  };
  // One node first, alone: without the grant that is the only request refused.
  const first = queue.shift();
  if (first !== undefined) await readOne(first);
  const workers = Array.from({ length: Math.min(Math.max(1, concurrency), queue.length) }, async () => {
    for (let name = queue.shift(); name !== undefined && !forbidden; name = queue.shift()) await readOne(name);
  });
  await Promise.all(workers);
  const missing = forbidden
    ? NODE_PROXY_FORBIDDEN
    : failures.length > 0
      ? `kubelets that did not answer: ${failures.slice(0, 5).join(", ")}${failures.length > 5 ? `, … ${failures.length - 5} more` : ""}`
      : byNode.size < nodes.length
        ? `read from up to ${KUBELET_METRICS_PER_GROUP} nodes per node group`
        : undefined;
  return { metrics: { byNode: forbidden ? new Map() : byNode, missing }, requests };
}

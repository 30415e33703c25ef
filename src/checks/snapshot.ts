// Reads the cluster once for a whole preflight run: the union of the resources every check
// declares, each listed in pages, a few lists in flight at a time. On a big cluster this is
// where the time goes; the checks themselves only walk memory.
//
// Secrets, least privilege: Helm release Secrets are the only Secrets ever listed (both
// selectors, see RESOURCES.helmReleases). With `helmNamespaces` (UPSHIFT_HELM_NAMESPACES) they
// are listed in those namespaces only, as the RoleBindings of the helm-namespaces component
// allow; a namespace that still refuses (403), and every other namespace that holds
// Helm-managed objects, is recorded as not evaluated instead of failing or staying silent.
// REF-01's Secret references are asked for one by one, metadata only.

import { ClusterAccessError } from "../errors/clusterAccessError.ts";
import type { ClusterClient } from "../kube/clusterClient.ts";
import { type KubeObject, RESOURCES, type ResourceDef, type ResourceKey } from "../kube/resources.ts";
import { compareText } from "../text/order.ts";
import { requiredRefs } from "./ownership.ts";
import { projectForChecks } from "./projection.ts";
import type { KubeletMetrics, NotReadable, SecretAccess } from "./types.ts";

/** Lists that are usually the largest start first, so the longest read never starts last. */
const LARGEST_FIRST: readonly ResourceKey[] = ["pods", "events", "replicasets", "helmReleases", "configmaps"];

export interface SnapshotOptions {
  /** Lists in flight at once. Each is itself paged (client pageSize), so memory stays bounded per request. */
  concurrency?: number;
  readMetrics?: boolean;
  /** Read Helm release Secrets only in these namespaces (the narrow RBAC mode); absent: cluster-wide. */
  helmNamespaces?: readonly string[];
  /** Ask whether each Secret the pods refer to exists (REF-01), metadata only. */
  probeSecretRefs?: boolean;
  /** Read kubelets' /metrics through the node proxy (needs nodes/proxy, an opt-in grant). */
  readNodeMetrics?: boolean;
  /** Drop, as pages arrive, what no check reads (projection.ts); default true. */
  project?: boolean;
}

/** At most this many distinct Secret references are asked about; the rest are "not evaluated". */
export const MAX_SECRET_PROBES = 2_000;

export interface Snapshot {
  lists: Map<ResourceKey, KubeObject[]>;
  /** What could and could not be read of Secrets (Helm checks and REF-01 report the gaps). */
  secrets: SecretAccess;
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
  const lists = new Map<ResourceKey, KubeObject[]>();
  const helmUnreadable: NotReadable[] = [];
  let requests = 0;
  const project = opts.project ?? true;
  const listInto = async (key: ResourceKey, all: KubeObject[], namespace?: string) => {
    const def: ResourceDef = RESOURCES[key];
    try {
      for await (const page of client.listPages(def, { namespace })) {
        requests++;
        if (project) for (const o of page.items) all.push(projectForChecks(o));
        else for (const o of page.items) all.push(o);
      }
    } catch (err) {
      // An optional resource this cluster does not serve (a GA version newer than the cluster,
      // an alpha nobody enabled): nothing of it exists to check. Every other failure stands.
      if (!(def.optional && err instanceof ClusterAccessError && err.status === 404)) throw err;
      requests++;
      all.length = 0;
    }
  };
  // In the narrow mode each allowed namespace is a list of its own, in the same queue.
  type Job = { key: ResourceKey; namespace?: string };
  const jobs: Job[] = [];
  for (const key of wanted) {
    if (key === "helmReleases" && opts.helmNamespaces) {
      lists.set(key, []);
      for (const namespace of opts.helmNamespaces) jobs.push({ key, namespace });
    } else jobs.push({ key });
  }
  const rank = (k: ResourceKey) => (LARGEST_FIRST.includes(k) ? LARGEST_FIRST.indexOf(k) : LARGEST_FIRST.length);
  const queue = jobs.sort((a, b) => rank(a.key) - rank(b.key));
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_LIST_CONCURRENCY);
  const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      if (job.namespace === undefined) {
        const all: KubeObject[] = [];
        await listInto(job.key, all);
        lists.set(job.key, all);
        continue;
      }
      const got: KubeObject[] = [];
      try {
        await listInto(job.key, got, job.namespace);
      } catch (err) {
        // A listed namespace without its RoleBinding: reported per namespace, the rest still runs.
        if (!(err instanceof ClusterAccessError && err.isPermissionError)) throw err;
        helmUnreadable.push({ namespace: job.namespace, reason: `HTTP ${err.status} listing its Secrets` });
        continue;
      }
      const into = lists.get(job.key)!;
      for (const o of got) into.push(o); // no spread: a namespace may hold more objects than a call's arguments
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

  if (opts.helmNamespaces && wanted.has("helmReleases")) {
    const allowed = new Set(opts.helmNamespaces);
    for (const namespace of helmManagedNamespaces(lists))
      if (!allowed.has(namespace)) helmUnreadable.push({ namespace, reason: "not in UPSHIFT_HELM_NAMESPACES" });
  }
  const secrets: SecretAccess = { helmUnreadable, refs: new Map(), refsUnreadable: [] };
  if (opts.probeSecretRefs)
    requests += await probeSecretRefs(client, lists.get("pods") ?? [], opts, secrets, concurrency);
  let kubeletMetrics: KubeletMetrics | undefined;
  if (opts.readNodeMetrics) {
    const nodes = lists.get("nodes") ?? (await client.listAll(RESOURCES.nodes));
    const read = await readKubeletMetrics(client, nodes, concurrency);
    requests += read.requests;
    kubeletMetrics = read.metrics;
  }
  return { lists, secrets, apiServerMetrics, kubeletMetrics, requests };
}

/**
 * Namespaces holding objects Helm manages: where releases live even when their Secrets cannot be
 * read. Helm 3.2+ writes the annotation meta.helm.sh/release-name on every object it installs
 * (resource adoption, helm/helm#7649); charts following Helm's label conventions also set
 * app.kubernetes.io/managed-by=Helm (helm.sh/docs/chart_best_practices/labels).
 */
function helmManagedNamespaces(lists: Map<ResourceKey, KubeObject[]>): string[] {
  const found = new Set<string>();
  for (const [key, objects] of lists) {
    if (key === "helmReleases") continue;
    for (const o of objects) {
      const ns = o.metadata?.namespace;
      if (!ns || found.has(ns)) continue;
      if (
        o.metadata?.labels?.["app.kubernetes.io/managed-by"] === "Helm" ||
        o.metadata?.annotations?.["meta.helm.sh/release-name"]
      )
        found.add(ns);
    }
  }
  return [...found].sort();
}

/** Asks, metadata only, whether each Secret the pods require exists; fills `secrets.refs`. */
async function probeSecretRefs(
  client: ClusterClient,
  pods: readonly KubeObject[],
  opts: SnapshotOptions,
  secrets: SecretAccess,
  concurrency: number,
): Promise<number> {
  const allowed = opts.helmNamespaces ? new Set(opts.helmNamespaces) : undefined;
  const unreadable = new Map<string, string>();
  const wanted = new Map<string, { namespace: string; name: string }>();
  for (const pod of pods) {
    const namespace = pod?.metadata?.namespace ?? "";
    for (const ref of requiredRefs(pod?.spec)) {
      if (ref.kind !== "Secret") continue;
      if (allowed && !allowed.has(namespace)) {
        unreadable.set(namespace, "not in UPSHIFT_HELM_NAMESPACES");
        continue;
      }
      wanted.set(`${namespace}/${ref.name}`, { namespace, name: ref.name });
    }
  }
  const queue = [...wanted.values()];
  for (const skipped of queue.splice(MAX_SECRET_PROBES))
    unreadable.set(skipped.namespace, `more than ${MAX_SECRET_PROBES} Secret references in the cluster`);
  let requests = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let ref = queue.shift(); ref !== undefined; ref = queue.shift()) {
        if (unreadable.has(ref.namespace)) continue;
        requests++;
        try {
          secrets.refs.set(
            `${ref.namespace}/${ref.name}`,
            await client.exists(RESOURCES.helmReleases, ref.namespace, ref.name),
          );
        } catch (err) {
          if (!(err instanceof ClusterAccessError && err.isPermissionError)) throw err;
          unreadable.set(ref.namespace, `HTTP ${err.status} reading its Secrets`);
        }
      }
    }),
  );
  secrets.refsUnreadable = [...unreadable]
    .map(([namespace, reason]) => ({ namespace, reason }))
    .sort((a, b) => compareText(a.namespace, b.namespace));
  return requests;
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

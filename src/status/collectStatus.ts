// The reads behind /upgrade-status: the cluster (with the ClusterClient's per-request timeout),
// BullMQ queues for this cluster's jobs, the LastCheckStore, and optionally `microk8s status`.
import type { Queue } from "bullmq";
import { parse } from "yaml";
import type { AddonConfig } from "../config/schema.ts";
import { ClusterAccessError } from "../errors/clusterAccessError.ts";
import type { ClusterClient } from "../kube/clusterClient.ts";
import { type KubeObject, RESOURCES } from "../kube/resources.ts";
import { buildStatus, type ClusterStatus, type MicroK8sAddon, type StatusJob } from "./buildStatus.ts";
import type { LastCheckStore } from "./lastCheckStore.ts";

export interface StatusSources {
  client: ClusterClient;
  queues: Partial<Record<StatusJob["queue"], Queue>>;
  lastChecks?: LastCheckStore;
  declaredAddons?: readonly AddonConfig[];
  /** Runs `microk8s status --format yaml` (with a timeout) where available; undefined elsewhere. */
  microk8sStatus?: () => Promise<string | undefined>;
  /** UPSHIFT_HELM_NAMESPACES: Helm releases are listed in these namespaces only. */
  helmNamespaces?: readonly string[];
}

/** Helm release Secrets cluster-wide, or per allowed namespace (a namespace that refuses is skipped). */
async function helmReleaseSecrets(src: StatusSources): Promise<KubeObject[]> {
  if (!src.helmNamespaces) return src.client.listAll(RESOURCES.helmReleases);
  const lists = await Promise.all(
    src.helmNamespaces.map((namespace) =>
      src.client.listAll(RESOURCES.helmReleases, { namespace }).catch((err: unknown) => {
        if (err instanceof ClusterAccessError && err.isPermissionError) return [];
        throw err;
      }),
    ),
  );
  return lists.flat();
}

/** `microk8s status --format yaml` → enabled/disabled add-ons. Bad YAML gives an empty list. */
export function parseMicroK8sStatus(yaml: string): MicroK8sAddon[] {
  try {
    const doc = parse(yaml) as { addons?: Array<{ name?: string; status?: string; version?: string }> };
    return (doc?.addons ?? [])
      .filter((a) => typeof a?.name === "string")
      .map((a) => ({
        name: a.name!,
        status: String(a.status ?? "unknown"),
        version: a.version ? String(a.version) : undefined,
      }));
  } catch {
    return [];
  }
}

async function jobsFor(cluster: string, queues: StatusSources["queues"]): Promise<StatusJob[]> {
  const out: StatusJob[] = [];
  for (const [name, queue] of Object.entries(queues) as Array<[StatusJob["queue"], Queue]>) {
    const jobs = await queue.getJobs(["active", "waiting", "delayed", "prioritized"], 0, 200);
    for (const job of jobs) {
      const data = job?.data as { cluster?: string; target?: string; until?: string; addon?: string } | undefined;
      if (data?.cluster !== cluster) continue;
      const state = await queue.getJobState(job.id ?? "");
      out.push({
        queue: name,
        state,
        id: job.id ?? "",
        detail: data.target ? `→ ${data.target}` : data.until ? `until ${data.until.slice(11, 16)} UTC` : data.addon,
      });
    }
  }
  return out;
}

export async function collectStatus(cluster: string, src: StatusSources, now = new Date()): Promise<ClusterStatus> {
  const [serverVersion, nodes, deployments, daemonsets, helmSecrets, jobs, lastCheck, mk8s] = await Promise.all([
    src.client.serverVersion(),
    src.client.listAll(RESOURCES.nodes),
    src.client.listAll(RESOURCES.deployments),
    src.client.listAll(RESOURCES.daemonsets),
    helmReleaseSecrets(src),
    jobsFor(cluster, src.queues),
    src.lastChecks?.get(cluster),
    src.microk8sStatus?.().catch(() => undefined),
  ]);
  return buildStatus({
    cluster,
    serverVersion,
    nodes,
    workloads: [...deployments, ...daemonsets],
    helmSecrets,
    ...(src.helmNamespaces ? { helmNamespaces: src.helmNamespaces } : {}),
    microk8s: mk8s ? parseMicroK8sStatus(mk8s) : undefined,
    declaredAddons: src.declaredAddons,
    jobs,
    lastCheck,
    now,
  });
}

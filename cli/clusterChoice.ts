// What `upshift check` and `upshift verify` share of their flags: `--fail-on`, and which cluster of
// the kubeconfig to read (`--kubeconfig`, `--context`), with the same usage errors for both.
import type { Severity } from "../src/checks/types.ts";
import type { ClusterClient, ClusterClientOptions } from "../src/kube/clusterClient.ts";
import { loadClusterSource } from "../src/kube/staticKubeconfig.ts";
import { UsageError } from "./usageError.ts";

export const FAIL_ON = ["blocker", "high", "medium", "low", "none"] as const;
export type FailOn = Severity | "none";

/** `--fail-on`: one of FAIL_ON, else a usage error naming the flag. */
export function parseFailOn(value: string | undefined): FailOn {
  if (!FAIL_ON.includes(value as (typeof FAIL_ON)[number]))
    throw new UsageError(`--fail-on: expected blocker, high, medium, low or none, got "${value}"`);
  return value as FailOn;
}

/**
 * The client of the context the flags name (default: the kubeconfig's current one). Static
 * credentials are read without client-node (its 900 modules cost more than the read itself).
 */
export async function chosenCluster(
  kubeconfig: string | undefined,
  requested: string | undefined,
  options: ClusterClientOptions = {},
): Promise<{ context: string; client: ClusterClient }> {
  const clusters = await loadClusterSource(kubeconfig, options);
  const context = requested ?? clusters.defaultName();
  if (!context)
    throw new UsageError(
      `--context: the kubeconfig has several contexts and no current one; name one of: ${clusters.names().join(", ")}`,
    );
  if (!clusters.has(context))
    throw new UsageError(`--context: unknown context "${context}"; valid: ${clusters.names().join(", ")}`);
  return { context, client: clusters.client(context) };
}

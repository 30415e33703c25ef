// Field defaults the API server fills in on create and update for the workloads the sandbox's
// controllers run, so clients see what they would on a cluster (kubectl rollout status refuses a
// StatefulSet or DaemonSet without updateStrategy.type RollingUpdate, for one). Pod-template
// defaults (restartPolicy, dnsPolicy, ...) are not modelled.
// Source: kubernetes/api apps/v1/types.go and batch/v1/types.go field comments ("Defaults to 1",
// "Defaults to 600s", "Default is RollingUpdate", "Defaults to 25%", "Defaults to 10",
// "Default value is 1", "Defaults to 6"; podManagementPolicy "The default policy is `OrderedReady`").
import type { KubeObject } from "../kube/resources.ts";
import type { ResourceInfo } from "./builtinResources.ts";

// biome-ignore lint/suspicious/noExplicitAny: specs are raw JSON
type Loose = any;

/** Fills the defaults of `obj`'s spec in place (apps/v1 workloads and batch/v1 Job; others untouched). */
export function applyDefaults(info: ResourceInfo, obj: KubeObject): void {
  if (info.group !== "apps" && !(info.group === "batch" && info.kind === "Job")) return;
  if (obj.spec === undefined || obj.spec === null || typeof obj.spec !== "object") return;
  const spec = obj.spec as Loose;
  switch (info.kind) {
    case "Deployment":
      spec.replicas ??= 1;
      spec.strategy ??= {};
      spec.strategy.type ??= "RollingUpdate";
      if (spec.strategy.type === "RollingUpdate") {
        spec.strategy.rollingUpdate ??= {};
        spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
        spec.strategy.rollingUpdate.maxSurge ??= "25%";
      }
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      break;
    case "ReplicaSet":
      spec.replicas ??= 1;
      break;
    case "StatefulSet":
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= "OrderedReady";
      spec.updateStrategy ??= {};
      spec.updateStrategy.type ??= "RollingUpdate";
      if (spec.updateStrategy.type === "RollingUpdate") {
        spec.updateStrategy.rollingUpdate ??= {};
        spec.updateStrategy.rollingUpdate.partition ??= 0;
      }
      spec.revisionHistoryLimit ??= 10;
      break;
    case "DaemonSet":
      spec.updateStrategy ??= {};
      spec.updateStrategy.type ??= "RollingUpdate";
      if (spec.updateStrategy.type === "RollingUpdate") {
        spec.updateStrategy.rollingUpdate ??= {};
        spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
        spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
      }
      spec.revisionHistoryLimit ??= 10;
      break;
    case "Job":
      if (spec.completions === undefined && spec.parallelism === undefined) {
        spec.completions = 1;
        spec.parallelism = 1;
      }
      spec.parallelism ??= 1;
      spec.backoffLimit ??= 6;
      spec.completionMode ??= "NonIndexed";
      spec.suspend ??= false;
      break;
  }
}

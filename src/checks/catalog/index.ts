// The whole preflight catalogue: one check per file (`<id>-<what-it-finds>.ts`, exporting the
// camel-cased file name), listed here once, in id order. Reports list checks of equal severity in
// this order. A new check is one new file and one line below.
import type { Check } from "../types.ts";
import { add01StaleAddons } from "./add-01-stale-addons.ts";
import { add02RetiredAddons } from "./add-02-retired-addons.ts";
import { api01HelmRemovedApis } from "./api-01-helm-removed-apis.ts";
import { api02LastAppliedRemovedApis } from "./api-02-last-applied-removed-apis.ts";
import { api03DeprecatedApiRequests } from "./api-03-deprecated-api-requests.ts";
import { api04ChartKubeVersion } from "./api-04-chart-kube-version.ts";
import { api05RemovedAlphaObjects } from "./api-05-removed-alpha-objects.ts";
import { cfg01ConfigSchema } from "./cfg-01-config-schema.ts";
import { cp01RemovedFlagsAndGates } from "./cp-01-removed-flags-and-gates.ts";
import { cp02InTreeCloudProvider } from "./cp-02-in-tree-cloud-provider.ts";
import { crd01CrdControllerMismatch } from "./crd-01-crd-controller-mismatch.ts";
import { crd02StoredVersionNotServed } from "./crd-02-stored-version-not-served.ts";
import { etcd01EtcdVersionForKubeadm } from "./etcd-01-etcd-version-for-kubeadm.ts";
import { helm01PendingRelease } from "./helm-01-pending-release.ts";
import { helm02FailedRelease } from "./helm-02-failed-release.ts";
import { helm03MultipleDeployed } from "./helm-03-multiple-deployed.ts";
import { helm04ManyRevisions } from "./helm-04-many-revisions.ts";
import { node01NodesNotReady } from "./node-01-nodes-not-ready.ts";
import { node02CgroupV1 } from "./node-02-cgroup-v1.ts";
import { node03Containerd1x } from "./node-03-containerd-1x.ts";
import { pdb01PdbBlocksDrain } from "./pdb-01-pdb-blocks-drain.ts";
import { pdb02OverlappingPdbs } from "./pdb-02-overlapping-pdbs.ts";
import { pod01CrashingContainers } from "./pod-01-crashing-containers.ts";
import { pod02PodSpecChanges } from "./pod-02-pod-spec-changes.ts";
import { prb01LivenessBeforeStart } from "./prb-01-liveness-before-start.ts";
import { proxy01KubeProxyMode } from "./proxy-01-kube-proxy-mode.ts";
import { ref01MissingConfigRefs } from "./ref-01-missing-config-refs.ts";
import { skew01KubeletSkew } from "./skew-01-kubelet-skew.ts";
import { skew02KubeProxySkew } from "./skew-02-kube-proxy-skew.ts";
import { skew03TargetSkipsMinor } from "./skew-03-target-skips-minor.ts";
import { skew04ControlPlaneSkew } from "./skew-04-control-plane-skew.ts";
import { ver01PrereleaseInUse } from "./ver-01-prerelease-in-use.ts";
import { vol01RemovedVolumePlugins } from "./vol-01-removed-volume-plugins.ts";
import { wl01NoSpread } from "./wl-01-no-spread.ts";

export const allChecks: readonly Check[] = [
  add01StaleAddons,
  add02RetiredAddons,
  api01HelmRemovedApis,
  api02LastAppliedRemovedApis,
  api03DeprecatedApiRequests,
  api04ChartKubeVersion,
  api05RemovedAlphaObjects,
  cfg01ConfigSchema,
  cp01RemovedFlagsAndGates,
  cp02InTreeCloudProvider,
  crd01CrdControllerMismatch,
  crd02StoredVersionNotServed,
  etcd01EtcdVersionForKubeadm,
  helm01PendingRelease,
  helm02FailedRelease,
  helm03MultipleDeployed,
  helm04ManyRevisions,
  node01NodesNotReady,
  node02CgroupV1,
  node03Containerd1x,
  pdb01PdbBlocksDrain,
  pdb02OverlappingPdbs,
  pod01CrashingContainers,
  pod02PodSpecChanges,
  prb01LivenessBeforeStart,
  proxy01KubeProxyMode,
  ref01MissingConfigRefs,
  skew01KubeletSkew,
  skew02KubeProxySkew,
  skew03TargetSkipsMinor,
  skew04ControlPlaneSkew,
  ver01PrereleaseInUse,
  vol01RemovedVolumePlugins,
  wl01NoSpread,
];

export function checksById(ids: readonly string[]): Check[] {
  return ids.map((id) => {
    const check = allChecks.find((c) => c.id === id);
    if (!check) throw new Error(`unknown check id ${id}`);
    return check;
  });
}

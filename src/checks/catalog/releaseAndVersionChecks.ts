// The release and version half of the preflight catalogue (Helm releases, API removals, version
// skew, CRDs, pre-releases), in id order. The integrator concatenates it with workloadChecks.
import type { Check } from "../types.ts";
import { api01HelmRemovedApis } from "./api-01-helm-removed-apis.ts";
import { api02LastAppliedRemovedApis } from "./api-02-last-applied-removed-apis.ts";
import { api03DeprecatedApiRequests } from "./api-03-deprecated-api-requests.ts";
import { api04ChartKubeVersion } from "./api-04-chart-kube-version.ts";
import { crd01CrdControllerMismatch } from "./crd-01-crd-controller-mismatch.ts";
import { crd02StoredVersionNotServed } from "./crd-02-stored-version-not-served.ts";
import { helm01PendingRelease } from "./helm-01-pending-release.ts";
import { helm02FailedRelease } from "./helm-02-failed-release.ts";
import { helm03MultipleDeployed } from "./helm-03-multiple-deployed.ts";
import { helm04ManyRevisions } from "./helm-04-many-revisions.ts";
import { skew01KubeletSkew } from "./skew-01-kubelet-skew.ts";
import { skew02KubeProxySkew } from "./skew-02-kube-proxy-skew.ts";
import { skew03TargetSkipsMinor } from "./skew-03-target-skips-minor.ts";
import { skew04ControlPlaneSkew } from "./skew-04-control-plane-skew.ts";
import { ver01PreReleaseInUse } from "./ver-01-prerelease-in-use.ts";

export const releaseAndVersionChecks: Check[] = [
  api01HelmRemovedApis,
  api02LastAppliedRemovedApis,
  api03DeprecatedApiRequests,
  api04ChartKubeVersion,
  crd01CrdControllerMismatch,
  crd02StoredVersionNotServed,
  helm01PendingRelease,
  helm02FailedRelease,
  helm03MultipleDeployed,
  helm04ManyRevisions,
  skew01KubeletSkew,
  skew02KubeProxySkew,
  skew03TargetSkipsMinor,
  skew04ControlPlaneSkew,
  ver01PreReleaseInUse,
];

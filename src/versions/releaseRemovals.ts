// Feature gates and command-line flags each Kubernetes minor removes or locks, for CP-01 and
// PROXY-01. A component started with a removed gate ("unrecognized feature gate") or a removed
// flag ("unknown flag") exits; one started with a locked gate set against its locked value exits
// too ("cannot set feature gate X to false, feature is locked to true").
//
// SOURCES, one table per release: the release-note drafts of kubernetes/sig-release,
// releases/release-1.3x/release-notes/release-notes-draft.md (snapshot of 2026-08-13), which are
// the "Changes by Kind" sections of the Kubernetes CHANGELOGs; each row names its pull request.
// What a release removed without a release note is not here; kubeadm-only gates (EtcdLearnerMode,
// ControlPlaneKubeletLocalMode, NodeLocalCRISocket...) live in kubeadm's configuration, not in
// component flags, and are left out. The tables end at KNOWN_THROUGH: 1.38 had no release notes
// when they were written.

export const KNOWN_THROUGH = "1.37";

export interface GateRow {
  gate: string;
  /** Pull request of kubernetes/kubernetes whose release note says so. */
  pr: number;
}

export interface LockedGateRow extends GateRow {
  locked: boolean;
}

export interface FlagRow {
  component: "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "etcd" | "kube-proxy";
  flag: string;
  pr: number;
}

export interface ReleaseRemovals {
  removedGates: readonly GateRow[];
  lockedGates: readonly LockedGateRow[];
  removedFlags: readonly FlagRow[];
}

const g = (gate: string, pr: number): GateRow => ({ gate, pr });
const locked = (gate: string, value: boolean, pr: number): LockedGateRow => ({ gate, locked: value, pr });

export const RELEASE_REMOVALS: Readonly<Record<string, ReleaseRemovals>> = {
  // releases/release-1.33/release-notes/release-notes-draft.md
  "1.33": {
    removedGates: [
      g("CPUManager", 129296),
      g("PDBUnhealthyPodEvictionPolicy", 129500),
      g("DisableCloudProviders", 130162),
      g("DisableKubeletCloudCredentialProviders", 130162),
      g("PersistentVolumeLastPhaseTransitionTime", 129295),
      g("AppArmor", 129375),
      g("AppArmorFields", 129497),
      g("KubeProxyDrainingTerminatingNodes", 129692),
      g("JobPodFailurePolicy", 129498),
    ],
    lockedGates: [
      locked("ServiceAccountTokenNodeBinding", true, 129591),
      locked("SidecarContainers", true, 129731),
      // "locked since v1.33" per the 1.36 and 1.37 notes that removed them (#135322, #135335, #135336).
      locked("CSIMigrationPortworx", true, 135322),
      locked("HonorPVReclaimPolicy", true, 135335),
      locked("AnyVolumeDataSource", true, 135336),
    ],
    // kube-apiserver's --cloud-provider/--cloud-config (#130162) are CP-02's.
    removedFlags: [],
  },
  // releases/release-1.34/release-notes/release-notes-draft.md
  "1.34": {
    removedGates: [
      g("DevicePluginCDIDevices", 132083),
      g("PodDisruptionConditions", 129501),
      g("LegacySidecarContainers", 131463),
    ],
    lockedGates: [
      locked("JobPodReplacementPolicy", true, 132173),
      locked("AuthorizeWithSelectors", true, 132656),
      locked("AuthorizeNodeWithSelectors", true, 132656),
      locked("RelaxedEnvironmentVariableValidation", true, 132054),
      locked("MultiCIDRServiceAllocator", true, 131318),
    ],
    removedFlags: [],
  },
  // releases/release-1.35/release-notes/release-notes-draft.md
  "1.35": {
    removedGates: [
      g("StrictCostEnforcementForVAP", 134994),
      g("StrictCostEnforcementForWebhooks", 134994),
      g("SizeMemoryBackedVolumes", 133720),
      g("ComponentSLIs", 133742),
      g("UserNamespacesPodSecurityStandards", 132157),
    ],
    lockedGates: [
      locked("DynamicResourceAllocation", true, 134452),
      locked("JobManagedBy", true, 135080),
      locked("ExecProbeTimeout", true, 134635),
      locked("AggregatedDiscoveryRemoveBetaType", true, 134230),
    ],
    removedFlags: [],
  },
  // releases/release-1.36/release-notes/release-notes-draft.md
  "1.36": {
    removedGates: [
      g("CSIMigrationPortworx", 135322),
      g("InTreePluginPortworxUnregister", 135322),
      g("WatchFromStorageWithoutResourceVersion", 136066),
      g("HonorPVReclaimPolicy", 135335),
    ],
    lockedGates: [
      locked("VolumeAttributesClass", true, 134556),
      locked("MutableCSINodeAllocatableCount", true, 136230),
      locked("SeparateCacheWatchRPC", false, 135808),
      locked("DisableNodeKubeProxyVersion", true, 136673),
      // Not in the release-note draft: KEP-5040 (kubernetes/enhancements#5040) lists "Beta
      // (Deprecated with feature-gate locked)" for 1.36, code in #136400; the website's gate page
      // says "disabled and locked to disabled".
      locked("GitRepoVolumeDriver", false, 136400),
    ],
    removedFlags: [],
  },
  // releases/release-1.37/release-notes/release-notes-draft.md
  "1.37": {
    removedGates: [
      g("SidecarContainers", 137755),
      g("AnyVolumeDataSource", 135336),
      g("GangScheduling", 139520),
      g("WorkloadAwarePreemption", 139520),
      g("RelaxedDNSSearchValidation", 139217),
      g("RetryGenerateName", 138907),
      g("BtreeWatchCache", 138907),
      g("OrderedNamespaceDeletion", 138907),
      g("StreamingCollectionEncodingToJSON", 138907),
      g("StreamingCollectionEncodingToProtobuf", 138907),
      g("APIServerTracing", 138907),
      g("ResilientWatchCacheInitialization", 138907),
      g("ConsistentListFromCache", 138907),
      g("PreventStaticPodAPIReferences", 140226),
    ],
    lockedGates: [locked("HostnameOverride", true, 139116), locked("DRAPrioritizedList", true, 139110)],
    removedFlags: [{ component: "kube-controller-manager", flag: "--concurrent-service-syncs", pr: 138002 }],
  },
};

export const prUrl = (pr: number) => `https://github.com/kubernetes/kubernetes/pull/${pr}`;

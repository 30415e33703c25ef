// PROXY-01: kube-proxy configuration the target deprecates or refuses. IPVS mode is deprecated
// from 1.35 (nftables, GA since 1.33, is the replacement) and 1.37 adds the KubeProxyIPVS gate to
// switch it off before removal; from 1.37 kube-proxy warns when `mode` is not set, because the
// Linux default moves from iptables to nftables in a later release; feature gates the target
// removes (or locks the other way) stop kube-proxy from starting, and with it Service routing.
// SOURCES:
// - Kubernetes 1.35 release notes (kubernetes/sig-release, #134539): "Marked ipvs mode in
//   kube-proxy as deprecated ... Users are encouraged to migrate to nftables."
// - Kubernetes 1.37 release notes: #139397 (KubeProxyIPVS gate "in preparation for deactivating
//   and then removing the ipvs mode"), #139957 (warning when started without an explicit mode;
//   the Linux default will switch to nftables), #139777 (kubeadm sets mode: iptables when empty),
//   #139067 (kubeadm warns about ipvs).
// - Kubernetes 1.33 release notes: nftables mode GA; gate KubeProxyDrainingTerminatingNodes
//   removed (#129692). Removed and locked gates: src/versions/releaseRemovals.ts. No kube-proxy
//   command-line flag was removed in 1.33–1.37 according to those notes (1.34's "iptables CLI
//   wait interval flag", #131961, is the flag kube-proxy passed to iptables, not its own).
import { objectRef } from "../../kube/resources.ts";
import { prUrl, RELEASE_REMOVALS } from "../../versions/releaseRemovals.ts";
import { parseFeatureGates, parseFlags } from "../controlPlane.ts";
import { kubeProxyConfig } from "../kubeadmConfig.ts";
import { podContainers } from "../ownership.ts";
import { crossedMinors } from "../releaseGate.ts";
import type { Check, FindingInput, ObjectRef } from "../types.ts";

const APPLIES_TO = Object.keys(RELEASE_REMOVALS);

export const proxy01KubeProxyMode: Check = {
  id: "PROXY-01",
  severity: "medium",
  title: "kube-proxy mode or feature gates deprecated or removed in the target",
  remediation:
    "Plan the move from ipvs to nftables (kernel 5.13+; `mode: nftables` in the kube-proxy configuration, then restart kube-proxy node by node) or iptables; set `mode` explicitly; remove feature gates the target removes from the kube-proxy configuration and DaemonSet.",
  reads: ["configmaps", "daemonsets"],
  appliesTo: APPLIES_TO,
  evaluate(ctx) {
    const minors = crossedMinors(ctx, APPLIES_TO);
    if (minors.length === 0) return [];
    const ds = ctx
      .objects("daemonsets")
      .find((d) => d?.metadata?.namespace === "kube-system" && d.metadata?.name === "kube-proxy");
    const config = kubeProxyConfig(ctx);
    if (!ds && !config.found) return []; // no kube-proxy (a CNI replaces it, or a managed add-on hides it)

    const container = ds
      ? (podContainers(ds.spec?.template?.spec).find(({ c }) => c.name === "kube-proxy") ??
        podContainers(ds.spec?.template?.spec)[0])
      : undefined;
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);
    const flags = parseFlags(container ? [...strings(container.c.command), ...strings(container.c.args)] : []);
    const configMode = typeof config.config?.mode === "string" ? config.config.mode : undefined;
    const flagMode = flags.get("--proxy-mode");
    const mode = (flagMode || configMode || "").toLowerCase();
    const modeEvidence = [
      config.found
        ? `${config.source} mode=${configMode === undefined ? "(unset)" : JSON.stringify(configMode)}`
        : undefined,
      flagMode !== undefined ? `DaemonSet kube-system/kube-proxy --proxy-mode=${flagMode}` : undefined,
    ]
      .filter(Boolean)
      .join("; ");
    const object: ObjectRef = ds
      ? objectRef(ds)
      : {
          apiVersion: "v1",
          kind: "ConfigMap",
          namespace: "kube-system",
          name: config.source?.includes("kube-proxy-config") ? "kube-proxy-config" : "kube-proxy",
        };
    const findings: FindingInput[] = [];

    const readable = config.config !== undefined || flagMode !== undefined;
    if (!readable && (minors.includes("1.35") || minors.includes("1.37"))) {
      findings.push({
        severity: "info",
        object,
        message: `Could not evaluate the kube-proxy mode: ${config.found ? `${config.source} is not parseable YAML` : "no kube-proxy ConfigMap and no --proxy-mode flag"}. ipvs is deprecated from 1.35.`,
        evidence: modeEvidence || `DaemonSet kube-system/kube-proxy args: ${[...flags.keys()].join(" ") || "(none)"}`,
        remediation: "Check the mode on a node: `curl -s localhost:10249/proxyMode`.",
      });
    } else if (mode === "ipvs" && (minors.includes("1.35") || minors.includes("1.37"))) {
      findings.push({
        object,
        message: minors.includes("1.37")
          ? "kube-proxy runs in ipvs mode: deprecated since 1.35, and 1.37 adds the KubeProxyIPVS gate to switch it off before removal. Move to nftables (or iptables)."
          : "kube-proxy runs in ipvs mode, deprecated from 1.35 and to be removed in a later release. Move to nftables (or iptables).",
        evidence: modeEvidence,
      });
    } else if (mode === "" && readable && minors.includes("1.37")) {
      findings.push({
        severity: "low",
        object,
        message:
          "kube-proxy's mode is not set: from 1.37 kube-proxy warns about it, because the Linux default changes from iptables to nftables in a later release. Set `mode: iptables` (today's behaviour) or `mode: nftables` explicitly.",
        evidence: modeEvidence,
      });
    }

    // Feature gates: the configuration's featureGates map and the --feature-gates flag.
    const gates = parseFeatureGates(flags.get("--feature-gates"));
    const fg = config.config?.featureGates;
    if (fg && typeof fg === "object" && !Array.isArray(fg))
      for (const [k, v] of Object.entries(fg as Record<string, unknown>)) gates.set(k, String(v));
    const problems: string[] = [];
    for (const m of minors) {
      for (const row of RELEASE_REMOVALS[m].removedGates)
        if (gates.has(row.gate)) problems.push(`feature gate ${row.gate} is removed in ${m} (${prUrl(row.pr)})`);
      for (const row of RELEASE_REMOVALS[m].lockedGates) {
        const v = gates.get(row.gate)?.toLowerCase();
        if (v !== undefined && v !== String(row.locked))
          problems.push(`feature gate ${row.gate} is locked to ${row.locked} from ${m} (${prUrl(row.pr)})`);
      }
    }
    if (problems.length > 0) {
      findings.push({
        severity: "blocker",
        object,
        message: `kube-proxy will not start at the target, and Services stop routing on upgraded nodes: ${problems.join("; ")}.`,
        evidence: `feature gates: ${[...gates].map(([k, v]) => `${k}=${v}`).join(",")}`,
      });
    }
    return findings;
  },
};

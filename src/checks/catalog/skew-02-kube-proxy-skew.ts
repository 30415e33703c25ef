// SKEW-02: kube-proxy too old for the target. kube-proxy follows the kubelet's skew rule (up to
// three minors older than kube-apiserver, two when older than 1.25) and is often forgotten:
// managed clusters and kubeadm leave its DaemonSet image at the version it was installed with.
// It must also stay within three minors (two below 1.25) of the kubelet on its own node, older or
// newer: a kube-proxy DaemonSet rolled to the new minor next to kubelets left three minors behind
// breaks that. Per-node pairs are matched through the pod's spec.nodeName and reported once per
// (kube-proxy minor, kubelet minor) pair, listing the nodes.
// SOURCES: kubernetes/website content/en/releases/version-skew-policy.md ("kube-proxy": must not be
// newer than kube-apiserver; up to three minors older; "up to three minor versions older or newer than
// the kubelet instance it runs alongside", two when kube-proxy is older than 1.25).
import type { KubeObject } from "../../kube/resources.ts";
import { objectRef } from "../../kube/resources.ts";
import { imageTag } from "../../versions/chartVersion.ts";
import { formatMinor, type KubeVersion, minorDistance, parseKubeVersion } from "../../versions/kube.ts";
import { podContainers } from "../ownership.ts";
import type { Check, FindingInput } from "../types.ts";
import { allowedNodeSkew } from "./skew-01-kubelet-skew.ts";
import { oldestApiServer } from "./skew-04-control-plane-skew.ts";

function kubeProxyImage(spec: unknown): string | undefined {
  const containers = podContainers(spec).filter((x) => x.kind === "container");
  const named =
    containers.find(({ c }) => c.name === "kube-proxy") ??
    containers.find(({ c }) => typeof c.image === "string" && /kube-proxy/.test(c.image));
  return typeof named?.c.image === "string" ? named.c.image : undefined;
}

function ownedByDaemonSet(pod: KubeObject, name: string): boolean {
  const refs = pod?.metadata?.ownerReferences;
  return Array.isArray(refs) && refs.some((r) => r?.kind === "DaemonSet" && r.name === name);
}

export const skew02KubeProxySkew: Check = {
  id: "SKEW-02",
  severity: "blocker",
  title: "kube-proxy too old for the target",
  remediation:
    "Update kube-proxy (the kube-proxy DaemonSet image or the managed add-on) to within three minors of the target before upgrading the control plane.",
  reads: ["daemonsets", "pods", "nodes"],
  evaluate(ctx) {
    const target = parseKubeVersion(ctx.targetFull) ?? parseKubeVersion(ctx.target);
    // The oldest HA apiserver bounds kube-proxy, not whichever instance answered /version.
    const oldestApi = oldestApiServer(ctx.objects("pods"));
    const server = oldestApi?.version ?? parseKubeVersion(ctx.serverVersion);
    const serverText = oldestApi ? `${formatMinor(oldestApi.version)} (${oldestApi.pod})` : ctx.serverVersion;
    if (!target) return [];
    const sources: Array<{ object: KubeObject; image: string | undefined; field: string; count: number }> = [];
    const daemonSets = ctx
      .objects("daemonsets")
      .filter((d) => d?.metadata?.namespace === "kube-system" && d.metadata?.name === "kube-proxy");
    for (const ds of daemonSets) {
      sources.push({
        object: ds,
        image: kubeProxyImage(ds.spec?.template?.spec),
        field: "spec.template.spec.containers[kube-proxy].image",
        count: 1,
      });
    }
    // Static or unmanaged kube-proxy pods (one per node): one finding per image, not per node.
    const byImage = new Map<string, (typeof sources)[number]>();
    for (const pod of ctx.objects("pods")) {
      if (pod?.metadata?.namespace !== "kube-system" || !pod.metadata?.name?.startsWith("kube-proxy-")) continue;
      if (daemonSets.length > 0 && ownedByDaemonSet(pod, "kube-proxy")) continue;
      const image = kubeProxyImage(pod.spec);
      const key = image ?? "(none)";
      const seen = byImage.get(key);
      if (seen) seen.count++;
      else byImage.set(key, { object: pod, image, field: "spec.containers[kube-proxy].image", count: 1 });
    }
    sources.push(...byImage.values());

    const findings: FindingInput[] = [];
    const behindTarget = new Set<string>();
    for (const { object, image, field, count } of sources) {
      const ref = objectRef(object);
      const what =
        object.kind === "DaemonSet"
          ? `DaemonSet kube-system/${ref.name}`
          : count > 1
            ? `${count} kube-proxy pods (e.g. ${ref.name})`
            : `pod kube-system/${ref.name}`;
      const tag = image ? imageTag(image) : undefined;
      const version = tag ? parseKubeVersion(tag) : undefined;
      if (!version) {
        findings.push({
          severity: "info",
          object: ref,
          message: `Could not evaluate the kube-proxy version of ${what}: image ${image ?? "(none)"} has no version tag.`,
          evidence: `${field}=${image ?? "(missing)"}`,
          remediation:
            "Check the kube-proxy version by hand (`kubectl -n kube-system exec <kube-proxy pod> -- kube-proxy --version`).",
        });
        continue;
      }
      const behind = minorDistance(version, target);
      const allowed = allowedNodeSkew(version);
      if (behind > allowed) {
        behindTarget.add(formatMinor(version));
        findings.push({
          object: ref,
          message: `${what} runs kube-proxy ${tag}, ${behind} minors behind the target ${ctx.target}; the skew policy allows ${allowed}.`,
          evidence: `${field}=${image}`,
          remediation: `Update kube-proxy in ${what} to ${target.major}.${target.minor} (or at least ${target.major}.${target.minor - allowed}) before upgrading the control plane.`,
        });
      } else if (server && minorDistance(server, version) > 0) {
        findings.push({
          object: ref,
          message: `${what} runs kube-proxy ${tag}, newer than the oldest API server ${serverText}; kube-proxy must never be newer than kube-apiserver.`,
          evidence: `${field}=${image}`,
          remediation: `Set kube-proxy in ${what} to the API server's minor ${server.major}.${server.minor}.`,
        });
      }
    }
    findings.push(...nodePairFindings(ctx.objects("pods"), ctx.objects("nodes"), behindTarget));
    return findings;
  },
};

interface Pair {
  proxy: KubeVersion;
  kubelet: KubeVersion;
  pods: KubeObject[];
  nodes: string[];
  image: string;
  kubeletRaw: string;
}

/** kube-proxy against the kubelet of the node it runs on, one finding per version pair. */
function nodePairFindings(
  pods: readonly KubeObject[],
  nodes: readonly KubeObject[],
  behindTarget: ReadonlySet<string>,
): FindingInput[] {
  const kubeletOf = new Map<string, string>();
  for (const n of nodes) {
    const raw = n?.status?.nodeInfo?.kubeletVersion;
    if (n?.metadata?.name && typeof raw === "string") kubeletOf.set(n.metadata.name, raw);
  }
  const pairs = new Map<string, Pair>();
  for (const pod of pods) {
    if (pod?.metadata?.namespace !== "kube-system") continue;
    const isProxy = pod.metadata?.name?.startsWith("kube-proxy-") || pod.metadata?.labels?.["k8s-app"] === "kube-proxy";
    const node = pod.spec?.nodeName;
    if (!isProxy || typeof node !== "string") continue;
    const image = kubeProxyImage(pod.spec);
    const tag = image ? imageTag(image) : undefined;
    const proxy = tag ? parseKubeVersion(tag) : undefined;
    const kubeletRaw = kubeletOf.get(node);
    const kubelet = kubeletRaw ? parseKubeVersion(kubeletRaw) : undefined;
    // Untagged images are SKEW-02's info above; unknown kubelets are SKEW-01's.
    if (!image || !proxy || !kubeletRaw || !kubelet) continue;
    const key = `${formatMinor(proxy)}|${formatMinor(kubelet)}`;
    const pair = pairs.get(key) ?? { proxy, kubelet, pods: [], nodes: [], image, kubeletRaw };
    pairs.set(key, pair);
    pair.pods.push(pod);
    pair.nodes.push(node);
  }
  const out: FindingInput[] = [];
  for (const p of pairs.values()) {
    const apart = Math.abs(minorDistance(p.kubelet, p.proxy));
    const allowed = allowedNodeSkew(p.proxy);
    if (apart <= allowed) continue;
    const newer = minorDistance(p.kubelet, p.proxy) > 0 ? "newer" : "older";
    // Too old for its kubelet is also too old for the target: already one finding above.
    if (newer === "older" && behindTarget.has(formatMinor(p.proxy))) continue;
    const first = p.pods[0];
    const owner = first.metadata?.ownerReferences?.find?.((r: { kind?: string }) => r?.kind === "DaemonSet");
    const object = owner?.name
      ? { apiVersion: "apps/v1", kind: "DaemonSet", namespace: "kube-system", name: String(owner.name) }
      : objectRef(first);
    const shown = p.nodes.slice(0, 5).join(", ");
    const where = p.nodes.length > 5 ? `${shown} and ${p.nodes.length - 5} more` : shown;
    out.push({
      object,
      severity: "high",
      message: `kube-proxy ${formatMinor(p.proxy)} runs next to kubelet ${formatMinor(p.kubelet)} on ${p.nodes.length === 1 ? "node" : `${p.nodes.length} nodes:`} ${where}: ${apart} minors ${newer} than its kubelet; the skew policy allows ${allowed}.`,
      evidence: `pod ${first.metadata?.name} on ${p.nodes[0]}: image=${p.image}; node status.nodeInfo.kubeletVersion=${p.kubeletRaw}`,
      remediation:
        newer === "newer"
          ? `Upgrade the kubelets on these nodes (drain, upgrade or replace) to within ${allowed} minors of kube-proxy ${formatMinor(p.proxy)}, or pin kube-proxy there to an older image.`
          : `Update kube-proxy on these nodes to within ${allowed} minors of kubelet ${formatMinor(p.kubelet)}.`,
    });
  }
  return out;
}

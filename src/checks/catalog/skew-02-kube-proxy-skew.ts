// SKEW-02: kube-proxy too old for the target. kube-proxy follows the kubelet's skew rule (up to
// three minors older than kube-apiserver, two when older than 1.25) and is often forgotten:
// managed clusters and kubeadm leave its DaemonSet image at the version it was installed with.
import type { KubeObject } from "../../kube/resources.ts";
import { objectRef } from "../../kube/resources.ts";
import { imageTag } from "../../versions/chartVersion.ts";
import { minorDistance, parseKubeVersion } from "../../versions/kube.ts";
import { podContainers } from "../ownership.ts";
import type { Check, FindingInput } from "../types.ts";
import { allowedNodeSkew } from "./skew-01-kubelet-skew.ts";

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
  reads: ["daemonsets", "pods"],
  evaluate(ctx) {
    const target = parseKubeVersion(ctx.targetFull) ?? parseKubeVersion(ctx.target);
    const server = parseKubeVersion(ctx.serverVersion);
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
        findings.push({
          object: ref,
          message: `${what} runs kube-proxy ${tag}, ${behind} minors behind the target ${ctx.target}; the skew policy allows ${allowed}.`,
          evidence: `${field}=${image}`,
          remediation: `Update kube-proxy in ${what} to ${target.major}.${target.minor} (or at least ${target.major}.${target.minor - allowed}) before upgrading the control plane.`,
        });
      } else if (server && minorDistance(server, version) > 0) {
        findings.push({
          object: ref,
          message: `${what} runs kube-proxy ${tag}, newer than the API server ${ctx.serverVersion}; kube-proxy must never be newer than kube-apiserver.`,
          evidence: `${field}=${image}`,
          remediation: `Set kube-proxy in ${what} to the API server's minor ${server.major}.${server.minor}.`,
        });
      }
    }
    return findings;
  },
};

// Configuration kubeadm keeps in kube-system ConfigMaps, which a kubeadm upgrade hands to the new
// components: `kubelet-config` (data.kubelet: a KubeletConfiguration) and `kube-proxy`
// (data["config.conf"]: a KubeProxyConfiguration). Unparseable YAML reads as "found, no config".
import { parse as parseYaml } from "yaml";
import type { CheckContext } from "./types.ts";

export interface KubeadmConfig {
  /** The ConfigMap exists (so this is most likely a kubeadm cluster). */
  found: boolean;
  config?: Record<string, unknown>;
}

function configMapYaml(ctx: CheckContext, name: string, key: string): KubeadmConfig {
  const cm = ctx
    .objects("configmaps")
    .find((c) => c?.metadata?.namespace === "kube-system" && c.metadata?.name === name);
  if (!cm) return { found: false };
  const text = cm.data?.[key];
  if (typeof text !== "string") return { found: true };
  try {
    const parsed = parseYaml(text);
    return {
      found: true,
      config:
        parsed && typeof parsed === "object" && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>)
          : undefined,
    };
  } catch {
    return { found: true };
  }
}

export const kubeadmKubeletConfig = (ctx: CheckContext) => configMapYaml(ctx, "kubelet-config", "kubelet");
/** kubeadm's kube-system/kube-proxy (config.conf), else EKS's kube-system/kube-proxy-config (config). */
export function kubeProxyConfig(ctx: CheckContext): KubeadmConfig & { source?: string } {
  const kubeadm = configMapYaml(ctx, "kube-proxy", "config.conf");
  if (kubeadm.found) return { ...kubeadm, source: 'ConfigMap kube-system/kube-proxy data["config.conf"]' };
  const eks = configMapYaml(ctx, "kube-proxy-config", "config");
  if (eks.found) return { ...eks, source: "ConfigMap kube-system/kube-proxy-config data.config" };
  return { found: false };
}

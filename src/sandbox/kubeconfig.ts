// Kubeconfig text for one sandbox or a fleet of them (one context per sandbox), token auth.
import { stringify } from "yaml";

export interface KubeconfigEntry {
  name: string;
  url: string;
  namespace?: string;
  token?: string;
}

export const SANDBOX_TOKEN = "sandbox-token";

/** One kubeconfig naming every entry as cluster, user and context; the first is current unless `current` says. */
export function kubeconfigFor(entries: KubeconfigEntry[], current?: string): string {
  if (entries.length === 0) throw new Error("kubeconfigFor: at least one entry is needed");
  const names = new Set<string>();
  for (const e of entries) {
    if (!e.name) throw new Error("kubeconfigFor: every entry needs a name");
    if (names.has(e.name)) throw new Error(`kubeconfigFor: duplicate context name "${e.name}"`);
    names.add(e.name);
  }
  if (current !== undefined && !names.has(current)) throw new Error(`kubeconfigFor: no entry named "${current}"`);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    // client-node refuses plain http:// unless the cluster skips TLS verification (there is no TLS).
    clusters: entries.map((e) => ({
      name: e.name,
      cluster: { server: e.url, ...(e.url.startsWith("http:") ? { "insecure-skip-tls-verify": true } : {}) },
    })),
    users: entries.map((e) => ({ name: e.name, user: { token: e.token ?? SANDBOX_TOKEN } })),
    contexts: entries.map((e) => ({
      name: e.name,
      context: { cluster: e.name, user: e.name, namespace: e.namespace ?? "default" },
    })),
    "current-context": current ?? entries[0].name,
  });
}

// Kubeconfig text for one sandbox or a fleet of them (one context per sandbox): bearer token,
// client certificate or exec credential plugin, and the CA for an HTTPS sandbox.
import { stringify } from "yaml";

export interface KubeconfigEntry {
  name: string;
  url: string;
  namespace?: string;
  /** Bearer token (the default when neither a client certificate nor an exec plugin is given). */
  token?: string;
  /** PEM of the CA that signed the server's certificate: certificate-authority-data. */
  caPem?: string;
  /** PEM client certificate and key: client-certificate-data / client-key-data. */
  clientCertPem?: string;
  clientKeyPem?: string;
  /** An exec credential plugin: the command prints an ExecCredential with the token. */
  exec?: { command: string; args?: string[] };
}

/** How a kubeconfig for an HTTPS sandbox authenticates (`upshift sandbox --auth`). */
export const KUBECONFIG_AUTH_MODES = ["token", "client-cert", "exec"] as const;
export type KubeconfigAuth = (typeof KUBECONFIG_AUTH_MODES)[number];

export interface KubeconfigOptions {
  auth?: KubeconfigAuth;
  /** For auth "exec": the plugin's path (see SandboxServer.writeExecPlugin). */
  execCommand?: string;
}

export const SANDBOX_TOKEN = "sandbox-token";

/** The ExecCredential API version our plugin speaks; v1 needs interactiveMode in the kubeconfig. */
export const EXEC_CREDENTIAL_API = "client.authentication.k8s.io/v1";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** One kubeconfig naming every entry as cluster, user and context; the first is current unless `current` says. */
export function kubeconfigFor(entries: KubeconfigEntry[], current?: string): string {
  if (entries.length === 0) throw new Error("kubeconfigFor: at least one entry is needed");
  const names = new Set<string>();
  for (const e of entries) {
    if (!e.name) throw new Error("kubeconfigFor: every entry needs a name");
    if (names.has(e.name)) throw new Error(`kubeconfigFor: duplicate context name "${e.name}"`);
    names.add(e.name);
    if (e.url.startsWith("https:") && !e.caPem) throw new Error(`kubeconfigFor: "${e.name}" is HTTPS but has no CA`);
  }
  if (current !== undefined && !names.has(current)) throw new Error(`kubeconfigFor: no entry named "${current}"`);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    // client-node refuses plain http:// unless the cluster skips TLS verification (there is no TLS).
    clusters: entries.map((e) => ({
      name: e.name,
      cluster: {
        server: e.url,
        ...(e.url.startsWith("http:") ? { "insecure-skip-tls-verify": true } : {}),
        ...(e.caPem ? { "certificate-authority-data": b64(e.caPem) } : {}),
      },
    })),
    users: entries.map((e) => ({ name: e.name, user: userFor(e) })),
    contexts: entries.map((e) => ({
      name: e.name,
      context: { cluster: e.name, user: e.name, namespace: e.namespace ?? "default" },
    })),
    "current-context": current ?? entries[0].name,
  });
}

function userFor(e: KubeconfigEntry): Record<string, unknown> {
  if (e.clientCertPem && e.clientKeyPem) {
    return { "client-certificate-data": b64(e.clientCertPem), "client-key-data": b64(e.clientKeyPem) };
  }
  if (e.exec) {
    return {
      exec: {
        apiVersion: EXEC_CREDENTIAL_API,
        command: e.exec.command,
        args: e.exec.args ?? [],
        interactiveMode: "Never",
        provideClusterInfo: false,
      },
    };
  }
  return { token: e.token ?? SANDBOX_TOKEN };
}

/** A POSIX shell exec credential plugin that prints one ExecCredential carrying `token`. */
export function execPluginScript(token: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(token)) throw new Error("execPluginScript: the token must be URL-safe characters");
  const credential = JSON.stringify({ apiVersion: EXEC_CREDENTIAL_API, kind: "ExecCredential", status: { token } });
  return `#!/bin/sh\n# Exec credential plugin for the Upshift sandbox: prints the ExecCredential kubectl and client-node read.\nprintf '%s\\n' '${credential}'\n`;
}

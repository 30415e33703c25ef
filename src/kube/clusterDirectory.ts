// The clusters users can name: every context of the kubeconfig (KUBECONFIG, else ~/.kube/config),
// or the one in-cluster config when Upshift runs in a pod without a kubeconfig.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { ConfigError } from "../errors/configError.ts";
import { errorMessage } from "../errors/upshiftError.ts";
import { ClientNodeTransport } from "./clientNodeTransport.ts";
import { ClusterClient, type ClusterClientOptions } from "./clusterClient.ts";

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export class ClusterDirectory {
  private readonly base: KubeConfig;
  private readonly clients = new Map<string, ClusterClient>();
  private readonly options: ClusterClientOptions;

  constructor(base: KubeConfig, options: ClusterClientOptions = {}) {
    this.base = base;
    this.options = options;
  }

  /** Loads from a path, the default kubeconfig, or the pod's ServiceAccount. Throws ConfigError. */
  static load(kubeconfigPath?: string, options: ClusterClientOptions = {}): ClusterDirectory {
    const kc = new KubeConfig();
    try {
      if (kubeconfigPath) {
        if (!existsSync(kubeconfigPath)) throw new Error(`no such file: ${kubeconfigPath}`);
        kc.loadFromFile(kubeconfigPath);
      } else if (existsSync(join(homedir(), ".kube", "config"))) {
        kc.loadFromFile(join(homedir(), ".kube", "config"));
      } else if (existsSync(SERVICE_ACCOUNT_TOKEN)) {
        kc.loadFromCluster();
      } else {
        throw new Error("no kubeconfig found (set KUBECONFIG) and not running in a pod");
      }
    } catch (err) {
      throw new ConfigError([`KUBECONFIG: cannot load it: ${errorMessage(err)}`]);
    }
    if (kc.getContexts().length === 0) throw new ConfigError(["KUBECONFIG: expected at least one context"]);
    return new ClusterDirectory(kc, options);
  }

  static fromString(yaml: string, options: ClusterClientOptions = {}): ClusterDirectory {
    const kc = new KubeConfig();
    kc.loadFromString(yaml);
    return new ClusterDirectory(kc, options);
  }

  names(): string[] {
    return this.base.getContexts().map((c) => c.name);
  }

  has(name: string): boolean {
    return this.base.getContextObject(name) !== null;
  }

  /** The kubeconfig's current context, or the only one. */
  defaultName(): string | undefined {
    const names = this.names();
    if (names.length === 1) return names[0];
    const current = this.base.getCurrentContext();
    return current && this.has(current) ? current : undefined;
  }

  client(name: string): ClusterClient {
    let client = this.clients.get(name);
    if (!client) {
      if (!this.has(name)) throw new Error(`unknown cluster context "${name}"`);
      client = new ClusterClient(name, new ClientNodeTransport(name, this.kubeConfig(name)), this.options);
      this.clients.set(name, client);
    }
    return client;
  }

  /** A KubeConfig set to one context, for client-node APIs (Watch, KubernetesObjectApi). */
  kubeConfig(name: string): KubeConfig {
    if (!this.has(name)) throw new Error(`unknown cluster context "${name}"`);
    // A single context (always so in a pod) is used as loaded: copying through exportConfig
    // would lose the in-cluster token file refresh.
    if (this.names().length === 1) return this.base;
    const kc = new KubeConfig();
    kc.loadFromString(this.base.exportConfig());
    kc.setCurrentContext(name);
    return kc;
  }
}

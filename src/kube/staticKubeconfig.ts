// `upshift check` without @kubernetes/client-node when the kubeconfig allows it. Loading
// client-node costs ~900 modules, ~1 s and ~100 MB of RSS before the first request, more than
// reading a 20,000-object cluster. A kubeconfig whose every context uses static credentials (a
// token, a client certificate, a username and password; a CA or insecure-skip-tls-verify; a
// tls-server-name) is served here by node:https with kept-alive connections. Anything else
// (exec plugins, auth providers, token files, impersonation, proxies, in-cluster config, any key
// this reader does not know, a file it cannot read) goes to ClusterDirectory and client-node as
// before, so no kubeconfig is read differently: this path only takes what it fully understands.
// The field names and their meaning follow client-node's config_types.js (newClusters/newUsers).
import { existsSync, readFileSync } from "node:fs";
import type { Agent as HttpAgent } from "node:http";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";
import { ClusterClient, type ClusterClientOptions, type ClusterTransport } from "./clusterClient.ts";

// node:http and node:https as CommonJS modules, not through `import`: an ESM import of a builtin
// builds its facade by reading every export, and node:http's lazy getters then load undici
// (fetch, WebSocket), which this transport never uses: ~15-20 ms of every `upshift check` start.
const http = process.getBuiltinModule("node:http");
const https = process.getBuiltinModule("node:https");

/** What `upshift check` needs of a kubeconfig: ClusterDirectory's reading half. */
export interface ClusterSource {
  names(): string[];
  has(name: string): boolean;
  defaultName(): string | undefined;
  client(name: string): ClusterClient;
}

const CLUSTER_KEYS = new Set([
  "server",
  "certificate-authority",
  "certificate-authority-data",
  "insecure-skip-tls-verify",
  "tls-server-name",
]);
const USER_KEYS = new Set([
  "token",
  "client-certificate",
  "client-certificate-data",
  "client-key",
  "client-key-data",
  "username",
  "password",
]);

interface StaticContext {
  server: string;
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: false; servername?: string };
  authorization?: string;
}

/**
 * The clusters of a kubeconfig for `upshift check`: read here when every context is static,
 * else through ClusterDirectory (client-node), which also gives the errors for a missing or bad
 * file, exactly as before.
 */
export async function loadClusterSource(
  kubeconfigPath?: string,
  options: ClusterClientOptions = {},
): Promise<ClusterSource> {
  const defaultPath = join(homedir(), ".kube", "config");
  const file = kubeconfigPath ?? (existsSync(defaultPath) ? defaultPath : undefined);
  const contexts = file ? readStaticKubeconfig(file) : undefined;
  if (contexts) return new StaticClusters(contexts.contexts, contexts.current, options);
  const { ClusterDirectory } = await import("./clusterDirectory.ts");
  return ClusterDirectory.load(kubeconfigPath, options);
}

type Mapping = Record<string, unknown>;
const isMapping = (v: unknown): v is Mapping => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Every context of the file when all are static; undefined when any is not (or the file is odd). */
export function readStaticKubeconfig(
  file: string,
): { contexts: Map<string, StaticContext>; current?: string } | undefined {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  if (!isMapping(doc)) return undefined;
  const base = dirname(file);
  const named = (list: unknown, field: string, keys: Set<string>): Map<string, Mapping> | undefined => {
    if (!Array.isArray(list)) return undefined;
    const out = new Map<string, Mapping>();
    for (const e of list) {
      if (!isMapping(e) || !str(e.name) || out.has(e.name as string)) return undefined;
      const body = e[field] ?? {};
      if (!isMapping(body) || Object.keys(body).some((k) => !keys.has(k))) return undefined;
      out.set(e.name as string, body);
    }
    return out;
  };
  const clusters = named(doc.clusters, "cluster", CLUSTER_KEYS);
  const users = named(doc.users, "user", USER_KEYS);
  if (!clusters || !users || !Array.isArray(doc.contexts) || doc.contexts.length === 0) return undefined;
  const file64 = (path: unknown, data: unknown): Buffer | undefined | null => {
    if (str(path)) {
      const p = isAbsolute(path as string) ? (path as string) : join(base, path as string);
      try {
        return readFileSync(p);
      } catch {
        return null; // client-node reports it, per request
      }
    }
    return str(data) ? Buffer.from(data as string, "base64") : undefined;
  };
  const contexts = new Map<string, StaticContext>();
  for (const c of doc.contexts) {
    if (!isMapping(c) || !str(c.name) || contexts.has(c.name as string) || !isMapping(c.context)) return undefined;
    const cluster = clusters.get(str(c.context.cluster) ?? "");
    const user = users.get(str(c.context.user) ?? "");
    if (!cluster || !user) return undefined;
    const server = str(cluster.server)?.replace(/\/+$/, "");
    const skip = cluster["insecure-skip-tls-verify"] === true;
    if (!server || !/^https?:\/\//.test(server) || (server.startsWith("http:") && !skip)) return undefined;
    const ca = file64(cluster["certificate-authority"], cluster["certificate-authority-data"]);
    const cert = file64(user["client-certificate"], user["client-certificate-data"]);
    const key = file64(user["client-key"], user["client-key-data"]);
    if (ca === null || cert === null || key === null) return undefined;
    const servername = str(cluster["tls-server-name"]);
    // client-node sets Basic for a username, then Bearer for a token over it.
    const token = str(user.token);
    const username = str(user.username);
    const authorization = token
      ? `Bearer ${token}`
      : username
        ? `Basic ${Buffer.from(`${username}:${user.password ?? ""}`).toString("base64")}`
        : undefined;
    contexts.set(c.name as string, {
      server,
      tls: {
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        ...(skip ? { rejectUnauthorized: false as const } : {}),
        ...(servername ? { servername } : {}),
      },
      authorization,
    });
  }
  return { contexts, current: str(doc["current-context"]) };
}

class StaticClusters implements ClusterSource {
  private readonly clients = new Map<string, ClusterClient>();
  private readonly contexts: Map<string, StaticContext>;
  private readonly current: string | undefined;
  private readonly options: ClusterClientOptions;

  constructor(contexts: Map<string, StaticContext>, current: string | undefined, options: ClusterClientOptions) {
    this.contexts = contexts;
    this.current = current;
    this.options = options;
  }

  names(): string[] {
    return [...this.contexts.keys()];
  }

  has(name: string): boolean {
    return this.contexts.has(name);
  }

  /** The kubeconfig's current context, or the only one (as ClusterDirectory). */
  defaultName(): string | undefined {
    const names = this.names();
    if (names.length === 1) return names[0];
    return this.current && this.has(this.current) ? this.current : undefined;
  }

  client(name: string): ClusterClient {
    let client = this.clients.get(name);
    if (!client) {
      const context = this.contexts.get(name);
      if (!context) throw new Error(`unknown cluster context "${name}"`);
      client = new ClusterClient(name, new HttpsTransport(context), this.options);
      this.clients.set(name, client);
    }
    return client;
  }
}

/** GETs over node:http(s) with one kept-alive Agent (idle sockets do not hold the process open). */
export class HttpsTransport implements ClusterTransport {
  readonly server: string;
  private readonly agent: HttpAgent;
  private readonly secure: boolean;
  private readonly authorization?: string;

  constructor(context: StaticContext) {
    this.server = context.server;
    this.secure = context.server.startsWith("https:");
    this.authorization = context.authorization;
    this.agent = this.secure
      ? new https.Agent({ keepAlive: true, ...context.tls })
      : new http.Agent({ keepAlive: true });
  }

  get(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<{ status: number; body: string }> {
    const send = this.secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          agent: this.agent,
          headers: this.authorization ? { ...headers, Authorization: this.authorization } : headers,
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
          res.on("aborted", () => reject(new Error("the connection closed before the response ended")));
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

// REDIS_URL, parsed once for every topology Upshift supports: one server (redis://, rediss://),
// a Sentinel-managed master (redis+sentinel://) and Redis Cluster (redis+cluster://). The WHATWG
// URL parser cannot read "host1:26379,host2:26379" (it takes everything after the first ':' as
// the port), so the authority is split here, and every error names the part that is wrong
// without ever repeating the password.
import { UpshiftError } from "../errors/upshiftError.ts";

export interface RedisHost {
  host: string;
  port: number;
}

interface Credentials {
  /** ACL user; undefined for the default user (`redis://:password@…`). */
  username?: string;
  password?: string;
}

export type RedisTarget =
  | ({ kind: "standalone"; tls: boolean; host: string; port: number; db: number } & Credentials)
  | ({
      kind: "sentinel";
      sentinels: RedisHost[];
      /** The master group name the sentinels monitor (`sentinel monitor <name> …`). */
      masterName: string;
      db: number;
      sentinelUsername?: string;
      sentinelPassword?: string;
    } & Credentials)
  | ({ kind: "cluster"; nodes: RedisHost[] } & Credentials);

export class RedisUrlError extends UpshiftError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

export const REDIS_URL_FORMS =
  "redis://host:port[/db], rediss://host:port[/db] (TLS), redis+sentinel://host:26379[,host:26379…]/masterName or redis+cluster://host:7000[,host:7001…] (user:password@ or :password@ before the hosts when Redis needs it)";

const SCHEMES = ["redis", "rediss", "redis+sentinel", "redis+cluster"] as const;
type Scheme = (typeof SCHEMES)[number];

/** Parses REDIS_URL; throws RedisUrlError naming the wrong part (scheme, host, port, db, master name, query). */
export function parseRedisUrl(url: string): RedisTarget {
  const schemeEnd = url.indexOf("://");
  if (schemeEnd < 0)
    throw new RedisUrlError(`expected ${REDIS_URL_FORMS}; got no scheme (the URL must start with redis://)`);
  const scheme = url.slice(0, schemeEnd).toLowerCase();
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    throw new RedisUrlError(`scheme "${scheme}:" is not supported; expected ${REDIS_URL_FORMS}`);
  }
  const rest = url.slice(schemeEnd + 3);
  if (rest.includes("#"))
    throw new RedisUrlError("a fragment (#…) is not allowed; percent-encode # in a password as %23");
  const authorityEnd = firstIndexOf(rest, ["/", "?"]);
  const authority = rest.slice(0, authorityEnd);
  const afterAuthority = rest.slice(authorityEnd);
  const queryStart = afterAuthority.indexOf("?");
  const path = queryStart < 0 ? afterAuthority : afterAuthority.slice(0, queryStart);
  const query = new URLSearchParams(queryStart < 0 ? "" : afterAuthority.slice(queryStart + 1));

  // The password may itself contain '@' when not encoded: the last '@' ends the userinfo.
  const at = authority.lastIndexOf("@");
  const credentials = at < 0 ? {} : parseUserinfo(authority.slice(0, at));
  const hostList = at < 0 ? authority : authority.slice(at + 1);

  switch (scheme as Scheme) {
    case "redis":
    case "rediss": {
      const hosts = parseHosts(hostList, 6379);
      if (hosts.length > 1) {
        throw new RedisUrlError(
          `${hosts.length} hosts given; redis:// names one server. For Sentinel use redis+sentinel://host1:26379,host2:26379/masterName, for Redis Cluster redis+cluster://host1:7000,host2:7001`,
        );
      }
      rejectQuery(query, [], scheme);
      return {
        kind: "standalone",
        tls: scheme === "rediss",
        ...hosts[0],
        db: parseDb(path.slice(1), "path"),
        ...credentials,
      };
    }
    case "redis+sentinel": {
      const sentinels = parseHosts(hostList, 26379);
      const [name, db, ...extra] = path.slice(1).split("/");
      if (!name) {
        throw new RedisUrlError(
          "the master name is missing: redis+sentinel://host:26379/<masterName> (the name in the sentinels' `sentinel monitor <masterName> …`)",
        );
      }
      if (extra.length > 0) throw new RedisUrlError(`path "${path}" has too many parts; expected /<masterName>[/<db>]`);
      rejectQuery(query, ["role", "sentinelPassword", "sentinelUsername"], scheme);
      const role = query.get("role");
      if (role !== null && role !== "master") {
        throw new RedisUrlError(
          `role=${role} is not possible: Upshift writes its queues, so it must connect to the master (role=master, the default)`,
        );
      }
      return {
        kind: "sentinel",
        sentinels,
        masterName: decodePart(name, "master name"),
        db: parseDb(db ?? "", "second path part"),
        ...credentials,
        ...(query.has("sentinelUsername") ? { sentinelUsername: query.get("sentinelUsername")! } : {}),
        ...(query.has("sentinelPassword") ? { sentinelPassword: query.get("sentinelPassword")! } : {}),
      };
    }
    case "redis+cluster": {
      const nodes = parseHosts(hostList, 6379);
      if (path !== "" && path !== "/") {
        throw new RedisUrlError(
          `path "${path}" is not allowed: Redis Cluster has only database 0, so redis+cluster:// takes no /db`,
        );
      }
      rejectQuery(query, [], scheme);
      return { kind: "cluster", nodes, ...credentials };
    }
  }
}

/** The URL with its password replaced, for logs and messages. */
export function describeRedisTarget(target: RedisTarget): string {
  const auth =
    target.password !== undefined ? `${target.username ?? ""}:***@` : target.username ? `${target.username}@` : "";
  const hosts = (list: RedisHost[]) => list.map(formatHost).join(",");
  switch (target.kind) {
    case "standalone":
      return `${target.tls ? "rediss" : "redis"}://${auth}${formatHost(target)}${target.db ? `/${target.db}` : ""}`;
    case "sentinel":
      return `redis+sentinel://${auth}${hosts(target.sentinels)}/${target.masterName}${target.db ? `/${target.db}` : ""}`;
    case "cluster":
      return `redis+cluster://${auth}${hosts(target.nodes)}`;
  }
}

/**
 * The hash tag Redis Cluster hashes a key by when the key starts with `prefix`: the text between
 * the first '{' and the first '}' after it, if not empty; else undefined (the whole key is hashed).
 */
export function prefixHashTag(prefix: string): string | undefined {
  const open = prefix.indexOf("{");
  if (open < 0) return undefined;
  const close = prefix.indexOf("}", open + 1);
  if (close < 0 || close === open + 1) return undefined;
  return prefix.slice(open + 1, close);
}

export const CLUSTER_PREFIX_PROBLEM =
  "UPSHIFT_QUEUE_PREFIX: Redis Cluster needs a hash tag so every queue key lands in one slot, e.g. {upshift}";

function firstIndexOf(s: string, chars: string[]): number {
  const found = chars.map((c) => s.indexOf(c)).filter((i) => i >= 0);
  return found.length ? Math.min(...found) : s.length;
}

function decodePart(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new RedisUrlError(`the ${what} has a malformed percent-encoding (%XX)`);
  }
}

function parseUserinfo(userinfo: string): Credentials {
  const colon = userinfo.indexOf(":");
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const username = user === "" ? undefined : decodePart(user, "user name");
  if (colon < 0) return { username };
  return { username, password: decodePart(userinfo.slice(colon + 1), "password") };
}

function parseHosts(list: string, defaultPort: number): RedisHost[] {
  if (list === "") throw new RedisUrlError("the host is missing: expected host:port after ://");
  return list.split(",").map((entry, i) => {
    const which = list.includes(",") ? `host ${i + 1} ("${entry}")` : `host "${entry}"`;
    if (entry === "")
      throw new RedisUrlError(`host ${i + 1} is empty: separate hosts with single commas, host1:port,host2:port`);
    let host: string;
    let portText: string | undefined;
    if (entry.startsWith("[")) {
      const close = entry.indexOf("]");
      if (close < 0) throw new RedisUrlError(`${which}: an IPv6 address needs a closing "]"`);
      host = entry.slice(1, close);
      const after = entry.slice(close + 1);
      if (after !== "" && !after.startsWith(":"))
        throw new RedisUrlError(`${which}: expected ":port" after the IPv6 address`);
      portText = after === "" ? undefined : after.slice(1);
    } else {
      const parts = entry.split(":");
      if (parts.length > 2)
        throw new RedisUrlError(`${which}: more than one ":"; write an IPv6 address in brackets, [::1]:6379`);
      [host, portText] = parts as [string, string | undefined];
      if (!/^[A-Za-z0-9.-]+$/.test(host))
        throw new RedisUrlError(`${which}: "${host}" is not a host name or IP address`);
    }
    if (host === "") throw new RedisUrlError(`${which}: the host name is empty`);
    if (portText === undefined) return { host, port: defaultPort };
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
    if (!(port >= 1 && port <= 65535))
      throw new RedisUrlError(`${which}: port "${portText}" is not a number from 1 to 65535`);
    return { host, port };
  });
}

function parseDb(text: string, where: string): number {
  if (text === "") return 0;
  if (!/^\d{1,5}$/.test(text))
    throw new RedisUrlError(`database "${text}" (the ${where}) is not a number; expected /0, /1, …`);
  return Number(text);
}

function rejectQuery(query: URLSearchParams, allowed: string[], scheme: string): void {
  for (const key of query.keys()) {
    if (!allowed.includes(key)) {
      throw new RedisUrlError(
        allowed.length
          ? `query parameter "${key}" is not supported on ${scheme}://; expected ${allowed.join(", ")}`
          : `query parameter "${key}" is not supported on ${scheme}:// (it takes none)`,
      );
    }
  }
}

function formatHost(h: RedisHost): string {
  return `${h.host.includes(":") ? `[${h.host}]` : h.host}:${h.port}`;
}

// REDIS_URL's grammar: every form it accepts, and for malformed URLs a message naming the wrong
// part (never the password). The config rule that Redis Cluster needs a hash-tagged prefix is here too.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/errors/configError.ts";
import { describeRedisTarget, parseRedisUrl, prefixHashTag, RedisUrlError } from "../../src/redis/redisUrl.ts";

function errorOf(url: string): string {
  try {
    parseRedisUrl(url);
  } catch (err) {
    expect(err).toBeInstanceOf(RedisUrlError);
    return (err as Error).message;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe("parseRedisUrl: accepted forms", () => {
  it("reads one server with defaults", () => {
    expect(parseRedisUrl("redis://127.0.0.1")).toEqual({
      kind: "standalone",
      tls: false,
      host: "127.0.0.1",
      port: 6379,
      db: 0,
    });
    expect(parseRedisUrl("redis://redis:6380/")).toEqual({
      kind: "standalone",
      tls: false,
      host: "redis",
      port: 6380,
      db: 0,
    });
  });

  it("reads user, password (percent-decoded), database and TLS", () => {
    expect(parseRedisUrl("rediss://upshift:p%40ss%3Aw0rd@redis.example.com:6380/3")).toEqual({
      kind: "standalone",
      tls: true,
      host: "redis.example.com",
      port: 6380,
      db: 3,
      username: "upshift",
      password: "p@ss:w0rd",
    });
    // The default user: password only. An unencoded '@' in the password still works (last '@' ends it).
    expect(parseRedisUrl("redis://:se@cret@h:1")).toMatchObject({
      username: undefined,
      password: "se@cret",
      host: "h",
      port: 1,
    });
  });

  it("reads an IPv6 host in brackets", () => {
    expect(parseRedisUrl("redis://[::1]:6379")).toMatchObject({ host: "::1", port: 6379 });
    expect(parseRedisUrl("redis+cluster://[fd00::1]:7000,[fd00::2]")).toMatchObject({
      nodes: [
        { host: "fd00::1", port: 7000 },
        { host: "fd00::2", port: 6379 },
      ],
    });
  });

  it("reads Sentinel: sentinels, master name, data-node password, sentinel password, role=master", () => {
    expect(
      parseRedisUrl("redis+sentinel://:datapass@s1:26379,s2,s3:26380/mymaster?role=master&sentinelPassword=sp%21"),
    ).toEqual({
      kind: "sentinel",
      sentinels: [
        { host: "s1", port: 26379 },
        { host: "s2", port: 26379 },
        { host: "s3", port: 26380 },
      ],
      masterName: "mymaster",
      db: 0,
      username: undefined,
      password: "datapass",
      sentinelPassword: "sp!",
    });
    expect(parseRedisUrl("redis+sentinel://s1/mymaster/2")).toMatchObject({ masterName: "mymaster", db: 2 });
  });

  it("reads Redis Cluster startup nodes and the password", () => {
    expect(parseRedisUrl("redis+cluster://:pw@10.0.0.1:7000,10.0.0.2:7001/")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "10.0.0.2", port: 7001 },
      ],
      username: undefined,
      password: "pw",
    });
  });

  it("describes a target without its password", () => {
    expect(describeRedisTarget(parseRedisUrl("redis+sentinel://:datapass@s1:26379,s2:26379/mymaster"))).toBe(
      "redis+sentinel://:***@s1:26379,s2:26379/mymaster",
    );
    expect(describeRedisTarget(parseRedisUrl("rediss://u:pw@h:6380/1"))).toBe("rediss://u:***@h:6380/1");
    expect(describeRedisTarget(parseRedisUrl("redis+cluster://a:7000,b:7001"))).toBe("redis+cluster://a:7000,b:7001");
  });
});

describe("parseRedisUrl: malformed URLs name the wrong part", () => {
  it.each([
    ["localhost:6379", /got no scheme.*redis:\/\//],
    ["http://redis:6379", /scheme "http:" is not supported/],
    ["redis+cluster://", /the host is missing/],
    ["redis://h:0", /host "h:0": port "0" is not a number from 1 to 65535/],
    ["redis://h:65536", /port "65536" is not a number from 1 to 65535/],
    ["redis://h:port", /port "port" is not a number/],
    ["redis://h1:6379,h2:6379", /2 hosts given; redis:\/\/ names one server.*redis\+sentinel/],
    ["redis://h/abc", /database "abc" \(the path\) is not a number/],
    ["redis://h?family=6", /query parameter "family" is not supported on redis:\/\/ \(it takes none\)/],
    ["redis://h#x", /a fragment/],
    ["redis://::1:6379", /more than one ":".*\[::1\]:6379/],
    ["redis://[::1:6379", /needs a closing "\]"/],
    ["redis://ho st:1", /"ho st" is not a host name or IP address/],
    ["redis+sentinel://s1:26379,,s2/mymaster", /host 2 is empty/],
    ["redis+sentinel://s1:26379,s2:x/mymaster", /host 2 \("s2:x"\): port "x"/],
    ["redis+sentinel://s1:26379", /the master name is missing.*sentinel monitor/],
    ["redis+sentinel://s1:26379/", /the master name is missing/],
    ["redis+sentinel://s1/m/1/2", /too many parts; expected \/<masterName>\[\/<db>\]/],
    ["redis+sentinel://s1/m?role=slave", /role=slave is not possible.*master/],
    [
      "redis+sentinel://s1/m?password=x",
      /query parameter "password" is not supported on redis\+sentinel:\/\/; expected role, sentinelPassword/,
    ],
    ["redis+cluster://a:7000/1", /Redis Cluster has only database 0/],
    ["redis://%zz:pw@h", /user name has a malformed percent-encoding/],
  ])("%s", (url, message) => {
    expect(errorOf(url)).toMatch(message);
  });

  it("never repeats the password", () => {
    for (const url of [
      "redis://:hunter22@h:99999",
      "redis+cluster://:hunter22@a:7000/2",
      "redis+sentinel://:hunter22@s1:x/m",
    ]) {
      expect(errorOf(url)).not.toContain("hunter22");
    }
  });
});

describe("prefixHashTag", () => {
  it("finds the tag Redis Cluster hashes by", () => {
    expect(prefixHashTag("{upshift}")).toBe("upshift");
    expect(prefixHashTag("team-{up}shift")).toBe("up");
    expect(prefixHashTag("upshift")).toBeUndefined();
    // Redis hashes the whole key when the braces are empty or not closed.
    expect(prefixHashTag("{}upshift")).toBeUndefined();
    expect(prefixHashTag("{upshift")).toBeUndefined();
  });
});

describe("REDIS_URL in the configuration", () => {
  function problems(env: Record<string, string>): string[] {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).problems;
    }
  }

  it("accepts Sentinel and Cluster URLs", () => {
    expect(problems({ REDIS_URL: "redis+sentinel://s1:26379,s2:26379/mymaster" })).toEqual([]);
    expect(problems({ REDIS_URL: "redis+cluster://a:7000,b:7001", UPSHIFT_QUEUE_PREFIX: "{upshift}" })).toEqual([]);
  });

  it("reports the wrong part of a malformed URL under REDIS_URL", () => {
    expect(problems({ REDIS_URL: "redis+sentinel://s1:26379" })).toEqual([
      expect.stringMatching(/^REDIS_URL: the master name is missing/),
    ]);
  });

  it("refuses Redis Cluster without a hash tag in the prefix, also with the default prefix", () => {
    const message =
      "UPSHIFT_QUEUE_PREFIX: Redis Cluster needs a hash tag so every queue key lands in one slot, e.g. {upshift}";
    expect(problems({ REDIS_URL: "redis+cluster://a:7000", UPSHIFT_QUEUE_PREFIX: "upshift" })).toEqual([message]);
    expect(problems({ REDIS_URL: "redis+cluster://a:7000" })).toEqual([message]);
    expect(problems({ REDIS_URL: "redis+cluster://a:7000", UPSHIFT_QUEUE_PREFIX: "{}upshift" })).toEqual([message]);
    // One server does not care.
    expect(problems({ REDIS_URL: "redis://a:6379", UPSHIFT_QUEUE_PREFIX: "upshift" })).toEqual([]);
  });
});

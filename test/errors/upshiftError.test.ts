// One base class for Upshift's errors: every class in src/errors extends UpshiftError, whose
// `name` is the subclass's own, and whose `exitCode` is what runCli exits with.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/usageError.ts";
import { CheckDeadlineError } from "../../src/errors/checkDeadlineError.ts";
import { ClusterAccessError } from "../../src/errors/clusterAccessError.ts";
import { ConfigError } from "../../src/errors/configError.ts";
import { InvalidTargetError } from "../../src/errors/invalidTargetError.ts";
import { NotQueuedError } from "../../src/errors/notQueuedError.ts";
import { errorMessage, UpshiftError } from "../../src/errors/upshiftError.ts";
import { RedisServerMissingError } from "../../src/redis/embeddedRedis.ts";

const DIR = new URL("../../src/errors/", import.meta.url);

describe("UpshiftError", () => {
  it("is the base of every error class in src/errors", async () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".ts"));
    const classes: string[] = [];
    for (const file of files) {
      const mod = (await import(new URL(file, DIR).href)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        if (typeof value !== "function" || !/^[A-Z]\w*Error$/.test(name)) continue;
        classes.push(name);
        if (value !== UpshiftError)
          expect((value as { prototype: object }).prototype, name).toBeInstanceOf(UpshiftError);
      }
    }
    expect(classes).toEqual(
      expect.arrayContaining([
        "CheckDeadlineError",
        "ClusterAccessError",
        "ConfigError",
        "InvalidTargetError",
        "NotQueuedError",
        "UpshiftError",
      ]),
    );
  });

  it("names each error after its class, and carries retryable and exitCode", () => {
    const cases: [UpshiftError, string, boolean | undefined, number | undefined][] = [
      [new ConfigError(["REDIS_URL: missing"]), "ConfigError", false, 2],
      [new InvalidTargetError("target 1.x does not parse"), "InvalidTargetError", false, 2],
      [new UsageError("unknown flag --x"), "UsageError", undefined, 2],
      [new RedisServerMissingError(), "RedisServerMissingError", false, 1],
      [new NotQueuedError("Redis did not answer"), "NotQueuedError", false, undefined],
      [new CheckDeadlineError({ cluster: "c", deadlineMs: 60_000, hung: [] }), "CheckDeadlineError", false, undefined],
      [
        new ClusterAccessError({ cluster: "c", status: 503, transient: true, attempted: "list pods", detail: "x" }),
        "ClusterAccessError",
        true,
        undefined,
      ],
      [
        new ClusterAccessError({ cluster: "c", status: 403, transient: false, attempted: "list pods", detail: "x" }),
        "ClusterAccessError",
        false,
        undefined,
      ],
    ];
    for (const [err, name, retryable, exitCode] of cases) {
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe(name);
      expect(String(err).startsWith(`${name}: `)).toBe(true);
      expect(err.retryable, name).toBe(retryable);
      expect(err.exitCode, name).toBe(exitCode);
    }
    class LocalError extends UpshiftError {}
    expect(new LocalError("m").name).toBe("LocalError");
    const cause = new Error("root");
    expect(new UpshiftError("wrapped", { cause }).cause).toBe(cause);
  });
});

describe("errorMessage", () => {
  it("reads the message of anything thrown", () => {
    expect(errorMessage(new ConfigError(["a"]))).toBe("invalid configuration:\n  - a");
    expect(errorMessage(new TypeError("bad"))).toBe("bad");
    expect(errorMessage("plain text")).toBe("plain text");
    expect(errorMessage({ message: "shaped like an error" })).toBe("shaped like an error");
    expect(errorMessage(42)).toBe("42");
    expect(errorMessage(undefined)).toBe("undefined");
    expect(errorMessage(Object.create(null))).toBe("[object Object]");
  });
});

// Errors in the logs: `{ err }` carries type, message, stack, code/status and the cause chain, and
// never what the SDKs hang on their errors beside that (request headers, tokens, command args).
// The SDK errors here are the libraries' own, made the way they make them at run time.
import { createServer } from "node:net";
import { Writable } from "node:stream";
import { DiscordAPIError } from "@discordjs/rest";
import { ApiException } from "@kubernetes/client-node";
import { LogLevel, WebClient } from "@slack/web-api";
import { Routes } from "discord-api-types/v10";
import { Redis } from "ioredis";
import { describe, expect, inject, it } from "vitest";
import { runShutdownSteps } from "../../src/http/shutdown.ts";
import { createLogger, serializeError } from "../../src/log.ts";

function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return {
    logger: createLogger("info", sink),
    text: () => lines.join(""),
    entries: () =>
      lines
        .flatMap((l) => l.split("\n"))
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("logged errors", () => {
  it("carry type, message and stack under err, beside the message string", () => {
    const log = capturingLogger();
    log.logger.warn({ err: new TypeError("Stream isn't writeable"), plan: "p1" }, "could not post");
    const [entry] = log.entries();
    expect(entry).toMatchObject({
      level: 40,
      msg: "could not post",
      plan: "p1",
      err: { type: "TypeError", message: "Stream isn't writeable" },
    });
    expect(entry.err.stack).toContain("TypeError: Stream isn't writeable");
    expect(entry.err.stack).toContain("log.test.ts");
  });

  it("at a real call site: a failed shutdown step is logged with its error's stack and its own message", async () => {
    const log = capturingLogger();
    const steps = [
      {
        name: "redis",
        timeoutMs: 1_000,
        run: async () => {
          throw new Error("Connection is closed.");
        },
      },
    ];
    expect(await runShutdownSteps(steps, log.logger)).toBe(1);
    const failed = log.entries().find((e) => e.step === "redis");
    expect(failed).toMatchObject({
      msg: "shutdown step failed; continuing with the next",
      err: { type: "Error", message: "Connection is closed." },
    });
    expect(failed.err.stack).toContain("log.test.ts");
  });

  it("keep the cause chain with each link's own type, message, stack and code", () => {
    const log = capturingLogger();
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
      code: "ECONNREFUSED",
      errno: -111,
      syscall: "connect",
    });
    log.logger.error({ err: new Error("queue unavailable", { cause: refused }) }, "command failed");
    const { err } = log.entries()[0];
    expect(err).toMatchObject({
      type: "Error",
      message: "queue unavailable",
      cause: { type: "Error", message: "connect ECONNREFUSED 127.0.0.1:1", code: "ECONNREFUSED", errno: -111 },
    });
    expect(err.cause.stack).toContain("log.test.ts");
  });

  it("never carry a nested Authorization header or token, on the error or on its cause", () => {
    const log = capturingLogger();
    const kubeconfigUser = { name: "admin", user: { token: "kube-user-token-0001" } };
    const cause = Object.assign(new Error("Unauthorized"), {
      statusCode: 401,
      request: { options: { headers: { Authorization: "Bearer cause-bearer-0002" } }, user: kubeconfigUser },
    });
    const err = Object.assign(new Error("list nodes failed", { cause }), {
      code: "E_LIST",
      token: "top-level-token-0003",
      config: { headers: { authorization: "Basic top-basic-0004" }, auth: { password: "pw-0005" } },
      response: { request: { headers: { Authorization: "Bearer deep-bearer-0006" } } },
    });
    log.logger.error({ err }, "list failed");
    const text = log.text();
    for (const secret of ["0001", "0002", "0003", "0004", "0005", "0006"]) expect(text).not.toContain(secret);
    expect(log.entries()[0].err).toMatchObject({
      message: "list nodes failed",
      code: "E_LIST",
      cause: { message: "Unauthorized", statusCode: 401 },
    });
  });

  it("never carry a Slack-like error's response metadata or its original request's Authorization", () => {
    const log = capturingLogger();
    const slackError = Object.assign(new Error("An API error occurred: invalid_auth"), {
      code: "slack_webapi_platform_error",
      data: {
        ok: false,
        error: "invalid_auth",
        response_metadata: { messages: ["[ERROR] token xoxb-metadata-0007 is revoked"], scopes: ["chat:write"] },
      },
      original: { config: { headers: { Authorization: "Bearer xoxb-original-0008" }, data: "token=xoxb-form-0009" } },
    });
    log.logger.error({ err: slackError }, "Slack request failed");
    const text = log.text();
    for (const secret of ["0007", "0008", "0009", "response_metadata", "original"]) expect(text).not.toContain(secret);
    expect(log.entries()[0].err).toMatchObject({
      type: "Error",
      message: "An API error occurred: invalid_auth",
      code: "slack_webapi_platform_error",
    });
  });

  it("from the real @slack/web-api client keep Slack's error code and never the bot token", async () => {
    const token = "xoxb-1111-2222-realclienttoken";
    const client = new WebClient(token, {
      slackApiUrl: `http://127.0.0.1:${await closedPort()}/api/`,
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
    });
    const err = await client.auth.test().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const log = capturingLogger();
    log.logger.error({ err }, "auth.test failed");
    expect(log.text()).not.toContain("realclienttoken");
    expect(log.entries()[0].err).toMatchObject({ code: "slack_webapi_request_error" });
  });

  it("from ioredis never carry the arguments of the command that failed (an AUTH's password)", async () => {
    const redis = new Redis(inject("redisUrl"), { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      const err = await redis.auth("hunter2-redis-password").then(
        () => undefined,
        (e: unknown) => e,
      );
      // ioredis hangs { name, args } of the command on its reply errors.
      expect((err as { command?: { args?: unknown[] } }).command?.args).toContain("hunter2-redis-password");
      const log = capturingLogger();
      log.logger.warn({ err }, "Redis command failed");
      expect(log.text()).not.toContain("hunter2");
      expect(log.entries()[0].err.message).toMatch(/^ERR AUTH/);
    } finally {
      redis.disconnect();
    }
  });

  it("from @discordjs/rest never carry the request URL, which holds the interaction token", () => {
    // Discord's interaction callback route is /interactions/{id}/{token}/callback (discord-api-types Routes).
    const url = `https://discord.com/api/v10${Routes.interactionCallback("123", "aW50ZXJhY3Rpb24tdG9rZW4tMDAxMA")}`;
    const err = new DiscordAPIError({ code: 10062, message: "Unknown interaction" }, 10062, 404, "POST", url, {
      body: { type: 4, data: { content: "hello" } },
    });
    const log = capturingLogger();
    log.logger.error({ err }, "interaction failed");
    expect(log.text()).not.toContain("aW50ZXJhY3Rpb24tdG9rZW4tMDAxMA");
    expect(log.entries()[0].err).toMatchObject({ type: "DiscordAPIError", code: 10062, status: 404 });
  });

  it("from @kubernetes/client-node keep the HTTP code and drop the response body and headers", () => {
    const err = new ApiException(403, "Forbidden", { kind: "Status", reason: "Forbidden" }, { "x-secret": "hdr" });
    const log = capturingLogger();
    log.logger.warn({ err }, "list failed");
    const { err: logged } = log.entries()[0];
    expect(logged).toMatchObject({ type: "ApiException", code: 403 });
    expect(Object.keys(logged).sort()).toEqual(["code", "message", "stack", "type"]);
  });

  it("scrub an HTTP credential written into the message, also under the `error` key", () => {
    const log = capturingLogger();
    log.logger.error({ error: new Error("request with Authorization: Bearer abc.def-0011 failed") }, "x");
    expect(log.text()).not.toContain("0011");
    expect(log.entries()[0].error.message).toBe("request with Authorization: Bearer [redacted] failed");
  });

  it("log anything thrown: a string as is, a plain object by its safe fields, a cycle bounded", () => {
    expect(serializeError("redis down")).toBe("redis down");
    expect(serializeError({ code: "E1", token: "t-0012", nested: { password: "p" } })).toEqual({
      type: "Object",
      code: "E1",
    });
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(serializeError(b)).toMatchObject({
      message: "b",
      cause: { message: "a", cause: { message: "[circular]" } },
    });
    let deep: Error = new Error("level 0");
    for (let i = 1; i <= 20; i++) deep = new Error(`level ${i}`, { cause: deep });
    let links = 0;
    for (let e = serializeError(deep) as { cause?: unknown }; e.cause; e = e.cause as { cause?: unknown }) links++;
    expect(links).toBe(5);
  });

  it("keep an AggregateError's members (Node reports a refused dual-stack connect as one)", async () => {
    const port = await closedPort();
    const err = new AggregateError(
      [
        Object.assign(new Error(`connect ECONNREFUSED ::1:${port}`), { code: "ECONNREFUSED" }),
        Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: "ECONNREFUSED" }),
      ],
      "",
    );
    const fetchFailed = new TypeError("fetch failed", { cause: err });
    expect(serializeError(fetchFailed)).toMatchObject({
      type: "TypeError",
      message: "fetch failed",
      cause: { type: "AggregateError", errors: [{ code: "ECONNREFUSED" }, { code: "ECONNREFUSED" }] },
    });
  });

  it("from a real fetch to a refused loopback port keep the connect error's code in the cause", async () => {
    const err = await fetch(`http://127.0.0.1:${await closedPort()}/`, {
      headers: { Authorization: "Bearer fetch-token-0013" },
      signal: AbortSignal.timeout(5_000),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const log = capturingLogger();
    log.logger.warn({ err }, "fetch failed");
    expect(log.text()).not.toContain("0013");
    expect(log.entries()[0].err).toMatchObject({ type: "TypeError", cause: { code: "ECONNREFUSED" } });
  });
});

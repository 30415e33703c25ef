// The one HTTP port of an Upshift process: liveness, readiness, Prometheus metrics, the queue
// dashboard for operators, and everything else handed to the Slack receiver over HTTP (fallback).
// It is started whatever Slack's mode: in Socket Mode there is no fallback, and these routes stay.
// /healthz answers as soon as the process listens and depends on nothing outside it: a
// liveness probe that fails because Redis or the cluster is slow restarts a healthy pod and
// turns a dependency's hiccup into a crash loop (INCIDENTS case 1 is this, for a download).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Queue } from "bullmq";
import express from "express";
import { withTimeout } from "../async/withTimeout.ts";
import type { TimeoutError } from "../errors/timeoutError.ts";
import { errorMessage } from "../errors/upshiftError.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";

export interface Readiness {
  ok: boolean;
  detail: string;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface OpsServerOptions {
  port: number;
  /** Default 0.0.0.0: probes and Prometheus reach the pod IP. */
  host?: string;
  metrics: Metrics;
  /** What /readyz reports; should itself be quick (cached pings), and is cut off after readinessTimeoutMs. */
  readiness: () => Promise<Readiness>;
  /** Enables /admin/queues (bull-board); without it that path is 404. */
  adminToken?: string;
  /** Queues shown on the dashboard. */
  queues?: Queue[];
  /** Everything not served here (the Slack receiver's request listener over HTTP); 404 when absent (Socket Mode). */
  fallback?: RequestListener;
  logger: Pick<Logger, "info" | "warn" | "error">;
  /** Default 3000 ms. */
  readinessTimeoutMs?: number;
  /** How long close() lets in-flight requests finish before cutting connections; default 5000 ms. */
  closeGraceMs?: number;
}

export interface OpsServer {
  /** The bound port (useful with port 0). */
  port: number;
  /** Stops accepting connections, lets in-flight requests finish (up to closeGraceMs), then closes. */
  close(): Promise<void>;
}

export const ADMIN_BASE_PATH = "/admin/queues";
const ADMIN_COOKIE = "upshift_admin";

export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const { metrics, logger } = opts;
  const readinessTimeoutMs = opts.readinessTimeoutMs ?? 3000;
  const admin = opts.adminToken ? adminHandler(opts.adminToken, opts.queues ?? []) : undefined;

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    const isRead = req.method === "GET" || req.method === "HEAD";

    if (path === "/healthz" && isRead) return send(res, 200, "ok\n");
    if (path === "/readyz" && isRead) {
      const r = await readinessWithin(opts.readiness, readinessTimeoutMs);
      return send(res, r.ok ? 200 : 503, `${r.ok ? "ready" : "not ready"}: ${r.detail}\n`);
    }
    if (path === "/metrics" && isRead) {
      const body = await metrics.registry.metrics();
      return send(res, 200, body, metrics.registry.contentType);
    }
    if (path === ADMIN_BASE_PATH || path.startsWith(`${ADMIN_BASE_PATH}/`)) {
      if (!admin) return send(res, 404, "not found\n");
      return admin(req, res, url);
    }
    if (opts.fallback) return opts.fallback(req, res);
    return send(res, 404, "not found\n");
  };

  const server: Server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      logger.error({ err, path: req.url }, "ops server request failed");
      if (!res.headersSent) send(res, 500, "internal error\n");
      else res.destroy();
    });
  });
  // Slowloris protection and an upper bound on any one request; Slack retries after 3 s anyway.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, "ops server listening");

  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const grace = setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, opts.closeGraceMs ?? 5000);
        grace.unref();
        server.close(() => {
          clearTimeout(grace);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

async function readinessWithin(readiness: () => Promise<Readiness>, ms: number): Promise<Readiness> {
  const answer = readiness().catch((err: unknown) => ({
    ok: false,
    detail: `readiness check failed: ${errorMessage(err)}`,
  }));
  return withTimeout(answer, ms, `readiness check timed out after ${ms} ms`).catch((err: TimeoutError) => ({
    ok: false,
    detail: err.message,
  }));
}

function send(res: ServerResponse, status: number, body: string, contentType = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(body);
}

/**
 * bull-board behind a token. The token comes as `Authorization: Bearer <token>` (scripts) or once
 * as `?token=` (a browser): the latter sets an HttpOnly cookie holding an HMAC of the token, not
 * the token, and redirects to the same URL without it so the token leaves the address bar and
 * the history. Every comparison is constant-time.
 */
function adminHandler(token: string, queues: Queue[]) {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(ADMIN_BASE_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  const app = express();
  app.disable("x-powered-by");
  app.use(ADMIN_BASE_PATH, serverAdapter.getRouter());

  const session = createHmac("sha256", token).update("upshift admin session").digest("base64url");

  return (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const cookie = readCookie(req.headers.cookie, ADMIN_COOKIE);
    const queryToken = url.searchParams.get("token");

    if (queryToken !== null) {
      if (!sameSecret(queryToken, token)) {
        send(res, 401, "unauthorized\n");
        return;
      }
      url.searchParams.delete("token");
      res.writeHead(303, {
        location: `${url.pathname}${url.search}`,
        "set-cookie": `${ADMIN_COOKIE}=${session}; Path=${ADMIN_BASE_PATH}; HttpOnly; SameSite=Strict; Max-Age=43200`,
        "cache-control": "no-store",
      });
      res.end();
      return;
    }
    const authorized =
      (bearer !== undefined && sameSecret(bearer, token)) || (cookie !== undefined && sameSecret(cookie, session));
    if (!authorized) {
      res.setHeader("www-authenticate", 'Bearer realm="upshift-admin"');
      send(res, 401, "unauthorized\n");
      return;
    }
    app(req as express.Request, res as express.Response);
  };
}

/** Constant-time comparison of secrets of any length (hashing first makes the lengths equal). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

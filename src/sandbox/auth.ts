// Who is asking: the kube-apiserver's authenticators in the order that matters here. A client
// certificate verified against the sandbox CA names its user (CN) and groups (O); a bearer token
// must be one the sandbox issued (static tokens, as --token-auth-file; an exec credential plugin
// is client-side only: the server just sees its token). Invalid credentials answer 401 even when
// anonymous access is on. With no credentials at all the request is system:anonymous (anonymous
// auth is on by default, as kubeadm leaves it), which RBAC's system:public-info-viewer role lets
// read only /healthz, /livez, /readyz and /version: anything else is 403 Forbidden.
// Sources: kubernetes.io/docs/reference/access-authn-authz/authentication/ ("Anonymous requests",
// "X509 client certificates", "Static token file"); kubernetes.io/docs/reference/access-authn-authz/rbac/
// (default ClusterRole system:public-info-viewer: GET /healthz, /livez, /readyz, /version, /version/).
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { ResourceInfo } from "./builtinResources.ts";
import { StatusError } from "./status.ts";
import { createSandboxPki, identityFromCertificate, type PemPair, type SandboxPki } from "./tls.ts";

export interface SandboxUser {
  user: string;
  groups: string[];
}

export interface AuthConfig {
  /** Bearer token → user. */
  tokens: Map<string, SandboxUser>;
  /** false: no credentials is 401 everywhere (kube-apiserver --anonymous-auth=false). Default true. */
  anonymous: boolean;
}

export const ANONYMOUS: SandboxUser = { user: "system:anonymous", groups: ["system:unauthenticated"] };

const PUBLIC_INFO_PATHS = /^\/(healthz|livez|readyz)(\/.*)?$|^\/version\/?$/;

const unauthorized = () =>
  new StatusError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: "Unauthorized",
    reason: "Unauthorized",
    code: 401,
  });

/** The request's user, or throws 401 for credentials that do not authenticate. */
export function authenticate(req: IncomingMessage, config: AuthConfig): SandboxUser {
  const socket = req.socket as TLSSocket;
  if (socket.encrypted && socket.authorized) {
    const peer = socket.getPeerCertificate();
    const who = peer?.raw ? identityFromCertificate(peer.raw) : undefined;
    if (who) return { user: who.user, groups: [...who.groups, "system:authenticated"] };
  }
  // A certificate the CA did not sign is not an identity; like the real server, fall through to
  // the other authenticators and finally to anonymous.
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const known = m ? config.tokens.get(m[1]) : undefined;
    if (!known) throw unauthorized();
    return { user: known.user, groups: [...known.groups, "system:authenticated"] };
  }
  if (!config.anonymous) throw unauthorized();
  return ANONYMOUS;
}

/**
 * What RBAC would say for the sandbox's users: every authenticated user is a cluster admin (the
 * sandbox issues only admin credentials), anonymous gets system:public-info-viewer.
 */
export function authorize(
  user: SandboxUser,
  request: { path: string; verb: string; info?: ResourceInfo; namespace?: string; name?: string },
): void {
  if (user !== ANONYMOUS) return;
  if (!request.info && PUBLIC_INFO_PATHS.test(request.path) && request.verb === "get") return;
  const who = `User "${user.user}"`;
  if (!request.info) {
    throw new StatusError({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `forbidden: ${who} cannot ${request.verb} path "${request.path}"`,
      reason: "Forbidden",
      details: {},
      code: 403,
    });
  }
  const { info } = request;
  const scope = request.namespace !== undefined ? ` in the namespace "${request.namespace}"` : " at the cluster scope";
  throw new StatusError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `${info.plural}${info.group ? `.${info.group}` : ""}${request.name ? ` "${request.name}"` : ""} is forbidden: ${who} cannot ${request.verb} resource "${info.plural}" in API group "${info.group}"${scope}`,
    reason: "Forbidden",
    details: { ...(request.name ? { name: request.name } : {}), group: info.group, kind: info.plural },
    code: 403,
  });
}

/** What an HTTPS sandbox serves and accepts: its PKI, the tokens it issued, and the anonymous switch. */
export interface SandboxSecurity {
  pki: SandboxPki;
  /** The admin's bearer token (kubeconfig `token`). */
  adminToken: string;
  /** The token the exec credential plugin prints (a distinct credential, as a cloud plugin's would be). */
  execToken: string;
  /** The admin's client certificate (CN sandbox-admin, O system:masters). */
  adminCert: PemPair;
  auth: AuthConfig;
}

export const SANDBOX_ADMIN: SandboxUser = { user: "sandbox-admin", groups: ["system:masters"] };

export function createSecurity(opts: { hosts?: string[]; anonymous?: boolean } = {}): SandboxSecurity {
  const pki = createSandboxPki(opts.hosts);
  const adminToken = randomBytes(24).toString("base64url");
  const execToken = randomBytes(24).toString("base64url");
  const tokens = new Map<string, SandboxUser>([
    [adminToken, SANDBOX_ADMIN],
    [execToken, { user: "sandbox-exec-user", groups: ["system:masters"] }],
  ]);
  return {
    pki,
    adminToken,
    execToken,
    adminCert: pki.issueClient(SANDBOX_ADMIN.user, SANDBOX_ADMIN.groups),
    auth: { tokens, anonymous: opts.anonymous ?? true },
  };
}

// Kubernetes Status bodies: every error the sandbox returns is one of these, as on a real server.

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  retryAfterSeconds?: number;
  causes?: Array<{ reason?: string; message?: string; field?: string }>;
}

export interface KubeStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason: string;
  code: number;
  details?: StatusDetails;
}

const REASON_BY_CODE: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Expired",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

export function reasonForCode(code: number): string {
  return REASON_BY_CODE[code] ?? (code >= 500 ? "InternalError" : "Unknown");
}

export function failure(
  code: number,
  message: string,
  reason = reasonForCode(code),
  details?: StatusDetails,
): KubeStatus {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
    ...(details ? { details } : {}),
  };
}

/** An error carrying the Status to answer with; thrown by handlers, caught by the server. */
export class StatusError extends Error {
  readonly status: KubeStatus;
  readonly headers: Record<string, string>;
  constructor(status: KubeStatus, headers: Record<string, string> = {}) {
    super(status.message);
    this.status = status;
    this.headers = headers;
  }
}

export function statusError(code: number, message: string, reason?: string, details?: StatusDetails): StatusError {
  return new StatusError(failure(code, message, reason, details));
}

function resourceName(r: { group: string; plural: string }): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

export function notFound(r: { group: string; plural: string }, name: string): StatusError {
  return statusError(404, `${resourceName(r)} "${name}" not found`, "NotFound", {
    name,
    group: r.group,
    kind: r.plural,
  });
}

export function alreadyExists(r: { group: string; plural: string }, name: string): StatusError {
  return statusError(409, `${resourceName(r)} "${name}" already exists`, "AlreadyExists", {
    name,
    group: r.group,
    kind: r.plural,
  });
}

export function conflict(r: { group: string; plural: string }, name: string): StatusError {
  return statusError(
    409,
    `Operation cannot be fulfilled on ${resourceName(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    "Conflict",
    { name, group: r.group, kind: r.plural },
  );
}

/** 409 for a failed delete precondition (uid or resourceVersion), worded as the real registry words it. */
export function conflictStatus(r: { group: string; plural: string }, name: string, why: string): StatusError {
  return statusError(409, `Operation cannot be fulfilled on ${resourceName(r)} "${name}": ${why}`, "Conflict", {
    name,
    group: r.group,
    kind: r.plural,
  });
}

export const EXPIRED_CONTINUE_MESSAGE =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.";

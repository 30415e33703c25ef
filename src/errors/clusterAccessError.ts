import { UpshiftError } from "./upshiftError.ts";

/**
 * A cluster request that failed. `transient` errors (timeouts, connection errors, 5xx, 429) are
 * worth retrying with backoff; the rest (401, 403, 404 on discovery...) are not, and their
 * message says what was refused so the operator can fix the RBAC or credentials.
 */
export class ClusterAccessError extends UpshiftError {
  readonly cluster: string;
  readonly status?: number;
  readonly transient: boolean;
  /** For 401/403: what was attempted, e.g. "list pods (all namespaces)". */
  readonly attempted: string;

  constructor(opts: { cluster: string; status?: number; transient: boolean; attempted: string; detail: string }) {
    super(ClusterAccessError.describe(opts), { retryable: opts.transient });
    this.cluster = opts.cluster;
    this.status = opts.status;
    this.transient = opts.transient;
    this.attempted = opts.attempted;
  }

  get isPermissionError(): boolean {
    return this.status === 401 || this.status === 403;
  }

  private static describe(opts: { cluster: string; status?: number; attempted: string; detail: string }): string {
    if (opts.status === 403) {
      return `cluster ${opts.cluster}: permission denied to ${opts.attempted}; grant this verb and resource to Upshift's ServiceAccount (see deploy/kubernetes/rbac). ${opts.detail}`;
    }
    if (opts.status === 401) {
      return `cluster ${opts.cluster}: credentials rejected (401) when trying to ${opts.attempted}; refresh the kubeconfig token or ServiceAccount. ${opts.detail}`;
    }
    const code = opts.status ? `HTTP ${opts.status}` : "no response";
    return `cluster ${opts.cluster}: ${opts.attempted} failed (${code}): ${opts.detail}`;
  }
}

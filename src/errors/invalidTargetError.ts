import { UpshiftError } from "./upshiftError.ts";

/**
 * A target version that cannot be parsed or makes no sense for the cluster; never retried. Bad
 * input like a bad flag: the CLI exits 2.
 */
export class InvalidTargetError extends UpshiftError {
  constructor(message: string) {
    super(message, { retryable: false, exitCode: 2 });
  }
}

/** A target version that cannot be parsed or makes no sense for the cluster; never retried. */
export class InvalidTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidTargetError";
  }
}

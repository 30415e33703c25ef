import { UpshiftError } from "../src/errors/upshiftError.ts";

/** Bad command-line input: printed without a stack trace, exit 2. */
export class UsageError extends UpshiftError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
  }
}

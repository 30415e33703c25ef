import { UpshiftError } from "./upshiftError.ts";

/** Configuration that cannot be used; the CLI exits 2, as for a bad flag.
 * `problems` name the variable or path and what is expected. */
export class ConfigError extends UpshiftError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`, { retryable: false, exitCode: 2 });
    this.problems = problems;
  }
}

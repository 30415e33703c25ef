// Every command Upshift knows, registered once for all adapters. Commands whose dependencies
// are not configured on this installation are simply not registered, so users get "unknown
// command" with the list of what is available instead of a half-working command.
import { CommandRouter } from "./router.ts";
import type { CommandSpec } from "./types.ts";
import { UPGRADE_CHECK_SPEC, type UpgradeCheckDeps, upgradeCheckCommand } from "./upgradeCheck.ts";

export interface RouterDeps extends UpgradeCheckDeps {}

export function createRouter(deps: RouterDeps): CommandRouter {
  return new CommandRouter([upgradeCheckCommand(deps)]);
}

/** Every command's spec, for Discord registration and the Slack app manifest test. */
export function commandSpecs(): CommandSpec[] {
  return [UPGRADE_CHECK_SPEC];
}

// Every command Upshift knows, registered once for all adapters. A command whose dependencies
// are not configured on this installation is not registered, so users get "unknown command"
// with the list of what is available instead of a half-working command.
import type { AccessPolicy } from "../src/access/policy.ts";
import { CommandRouter, type CommandRouterOptions } from "./router.ts";
import type { CommandSpec } from "./types.ts";
import { UPGRADE_CHECK_SPEC, type UpgradeCheckDeps, upgradeCheckCommand } from "./upgradeCheck.ts";
import { UPGRADE_CYCLE_SPEC, type UpgradeCycleDeps, upgradeCycleCommand } from "./upgradeCycle.ts";
import { UPGRADE_CYCLE_ABORT_SPEC, upgradeCycleAbortCommand } from "./upgradeCycleAbort.ts";
import { UPGRADE_CYCLE_STATUS_SPEC, upgradeCycleStatusCommand } from "./upgradeCycleStatus.ts";
import { UPGRADE_STATUS_SPEC, type UpgradeStatusDeps, upgradeStatusCommand } from "./upgradeStatus.ts";
import { UPGRADE_VERIFY_SPEC, type UpgradeVerifyDeps, upgradeVerifyCommand } from "./upgradeVerify.ts";
import { UPGRADE_WATCH_SPEC, type UpgradeWatchDeps, upgradeWatchCommand } from "./upgradeWatch.ts";

export interface RouterDeps extends UpgradeCheckDeps {
  /** Access rules (upshift.yaml `access`); default: nothing restricted. */
  access?: AccessPolicy;
  statusQueue?: UpgradeStatusDeps["statusQueue"];
  watch?: UpgradeWatchDeps["watch"];
  cycles?: UpgradeCycleDeps["cycles"];
  /** Verify jobs; usually the same JobSubmitter as `jobs`. */
  verify?: UpgradeVerifyDeps["jobs"];
  /** Where failed commands are logged (CommandRouter.handle). */
  logger?: CommandRouterOptions["logger"];
}

export function createRouter(deps: RouterDeps): CommandRouter {
  const router = new CommandRouter([upgradeCheckCommand(deps)], {
    access: deps.access,
    clusters: deps.clusters,
    logger: deps.logger,
  });
  const { clusters, platforms } = deps;
  if (deps.statusQueue) router.register(upgradeStatusCommand({ clusters, statusQueue: deps.statusQueue }));
  if (deps.verify) router.register(upgradeVerifyCommand({ clusters, jobs: deps.verify, platforms }));
  if (deps.watch) router.register(upgradeWatchCommand({ clusters, watch: deps.watch, platforms }));
  if (deps.cycles) {
    const cycleDeps = { clusters, cycles: deps.cycles };
    router.register(upgradeCycleCommand(cycleDeps));
    router.register(upgradeCycleStatusCommand(cycleDeps));
    router.register(upgradeCycleAbortCommand(cycleDeps));
  }
  return router;
}

/** Every command's spec, for Discord registration and the Slack app manifest. */
export function commandSpecs(): CommandSpec[] {
  return [
    UPGRADE_CHECK_SPEC,
    UPGRADE_STATUS_SPEC,
    UPGRADE_WATCH_SPEC,
    UPGRADE_CYCLE_SPEC,
    UPGRADE_CYCLE_STATUS_SPEC,
    UPGRADE_CYCLE_ABORT_SPEC,
    UPGRADE_VERIFY_SPEC,
  ];
}

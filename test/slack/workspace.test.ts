// Which Slack requests count as the bot token's own workspace (auth.test's team and enterprise).
import { describe, expect, it } from "vitest";
import { fromOwnWorkspace, requestWorkspace } from "../../adapters/slack/slackApp.ts";

describe("the bot token's workspace", () => {
  const team = { teamId: "T0TEST", isEnterpriseInstall: false };

  it("admits its own team and refuses another or none", () => {
    expect(fromOwnWorkspace(team, requestWorkspace({ team_id: "T0TEST" }))).toBe(true);
    expect(fromOwnWorkspace(team, requestWorkspace({ team_id: "T0OTHER" }))).toBe(false);
    expect(fromOwnWorkspace(team, requestWorkspace({}))).toBe(false);
    expect(fromOwnWorkspace(team, requestWorkspace({ team_id: 42 }))).toBe(false);
  });

  it("on Enterprise Grid, also needs the same enterprise when both name one", () => {
    const grid = { ...team, enterpriseId: "E0ORG" };
    expect(fromOwnWorkspace(grid, requestWorkspace({ team_id: "T0TEST", enterprise_id: "E0ORG" }))).toBe(true);
    expect(fromOwnWorkspace(grid, requestWorkspace({ team_id: "T0TEST", enterprise_id: "E0OTHER" }))).toBe(false);
  });

  it("an org-wide install answers for every workspace of its enterprise, and only those", () => {
    const org = { enterpriseId: "E0ORG", isEnterpriseInstall: true };
    expect(fromOwnWorkspace(org, requestWorkspace({ team_id: "T0ANY", enterprise_id: "E0ORG" }))).toBe(true);
    expect(fromOwnWorkspace(org, requestWorkspace({ team_id: "T0ANY", enterprise_id: "E0OTHER" }))).toBe(false);
    expect(fromOwnWorkspace(org, requestWorkspace({ team_id: "T0ANY" }))).toBe(false);
  });

  it("reads an interactive payload's team and enterprise (block_actions: the approval buttons)", () => {
    expect(requestWorkspace({ type: "block_actions", team: { id: "T0TEST", domain: "x" }, enterprise: null })).toEqual({
      teamId: "T0TEST",
    });
    expect(fromOwnWorkspace(team, requestWorkspace({ team: { id: "T0OTHER" } }))).toBe(false);
    expect(requestWorkspace({ team: { id: "T0TEST", enterprise_id: "E0ORG" } })).toEqual({
      teamId: "T0TEST",
      enterpriseId: "E0ORG",
    });
    expect(requestWorkspace({ team: null, user: { team_id: "T0USER" }, enterprise: { id: "E0ORG" } })).toEqual({
      teamId: "T0USER",
      enterpriseId: "E0ORG",
    });
  });
});

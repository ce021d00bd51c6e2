import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { memberErrorText, memberProblem, roleLabel, workspaceNameProblem } from "./members";

describe("the Workspaces room", () => {
  it("checks the add-member form", () => {
    const members = [{ username: "admin" }, { username: "developer" }];
    expect(memberProblem(" ", members)).toBe("Enter the user's username.");
    expect(memberProblem("developer", members)).toMatch(/already a member/);
    expect(memberProblem(" carol ", members)).toBeNull();
  });

  it("checks a new workspace's name", () => {
    expect(workspaceNameProblem("", [])).toBe("Enter the workspace's name.");
    expect(workspaceNameProblem("x".repeat(65), [])).toMatch(/at most 64/);
    expect(workspaceNameProblem("demo", ["demo"])).toMatch(/already have/);
    expect(workspaceNameProblem("staging", ["demo"])).toBeNull();
  });

  it("says plainly why the last admin stays", () => {
    const refusal = new ApiError(409, "last_admin", "A workspace needs at least one admin.");
    expect(memberErrorText(refusal, "admin", "remove")).toBe(
      "admin is the last admin of this workspace and cannot be removed: a workspace needs at least one admin. Make another member admin first.",
    );
    expect(memberErrorText(refusal, "admin", "demote")).toMatch(/cannot be given another role/);
    expect(memberErrorText(new ApiError(404, "not_found", "User nobody does not exist."), "nobody", "demote")).toBe("User nobody does not exist.");
    expect(roleLabel("viewer")).toBe("Viewer");
  });
});

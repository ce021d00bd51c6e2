import { describe, expect, it } from "vitest";
import { ownerProblem, ownerRequest, ownerResultText } from "./owner";

/** Ticked objects by id (the tree sends directories and exclusions the same way). */
const ticked = (ids: number[]) => ({ selection: { ids }, count: ids.length });

const JOBS = { one: "Job", many: "Jobs" };

describe("Configure Owner", () => {
  it("changes ticked objects with only a Target Owner", () => {
    const form = { currentOwner: "", targetOwner: "  dana " };
    expect(ownerProblem(ticked([1, 2]), form)).toBeNull();
    expect(ownerRequest(ticked([1, 2]), form)).toEqual({ ids: [1, 2], owner: "dana" });
    expect(ownerProblem(ticked([1]), { currentOwner: "", targetOwner: " " })).toBe("Enter the Target Owner.");
    expect(ownerProblem(ticked([1]), { currentOwner: "", targetOwner: "x".repeat(129) })).toMatch(/at most 128/);
  });

  it("migrates from a Current Owner when nothing is ticked", () => {
    expect(ownerProblem(null, { currentOwner: "", targetOwner: "dana" })).toBe("Enter the Current Owner.");
    expect(ownerProblem(null, { currentOwner: "bob", targetOwner: "bob" })).toMatch(/same/);
    expect(ownerRequest(null, { currentOwner: " bob", targetOwner: "dana" })).toEqual({ currentOwner: "bob", owner: "dana" });
  });

  it("says what happened", () => {
    const form = { currentOwner: "bob", targetOwner: "dana" };
    expect(ownerResultText({ changed: 2, skipped: 0 }, JOBS, form, false)).toBe("Changed the owner of 2 jobs to dana.");
    expect(ownerResultText({ changed: 1, skipped: 1 }, JOBS, form, false)).toBe("Changed the owner of 1 job to dana. 1 job already had that owner.");
    expect(ownerResultText({ changed: 0, skipped: 0 }, JOBS, form, true)).toBe("No job is owned by bob.");
  });
});

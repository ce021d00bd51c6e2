import { describe, expect, it } from "vitest";
import type { Profile } from "../api/profiles";
import type { Promotion } from "../api/promotions";
import { kebabMenu } from "../tree/menus";
import { applyLabel, canUndoIn, changesText, countsText, hasReport, isRunning, jobSelection, profileTarget, promotableProfiles, promoteBody, promotionTarget, startLabel, stateText, writesCount } from "./logic";

const profile = (over: Partial<Profile> & { kind?: "workspace" | "remote"; workspaceId?: number | null }): Profile =>
  ({
    id: 1,
    name: "to_prod",
    requiresApproval: false,
    ...over,
    target: { kind: over.kind ?? "workspace", workspaceId: over.workspaceId === undefined ? 7 : over.workspaceId, workspaceName: "prod" },
  }) as unknown as Profile;

const promotion = (over: Partial<Promotion>): Promotion =>
  ({ id: 4, state: "previewing", changes: {}, counts: {}, importTask: "abc", appliedAt: null, ...over }) as Promotion;

describe("a promotion's row", () => {
  it("says its change-set and counts in the import's order, zeros left out", () => {
    expect(changesText({ unchanged: 5, new: 1, changed: 2, failed: 0 })).toBe("1 new, 2 changed, 5 unchanged");
    expect(changesText({})).toBe("nothing");
    expect(countsText({ unchanged: 2, created: 1, overwritten: 0 })).toBe("1 created, 2 unchanged");
    expect(countsText(undefined)).toBe("—");
    expect(stateText("waiting_approval")).toBe("Waiting for approval");
  });

  it("is undone from the target's Import History, once applied, by a member of the target", () => {
    const applied = promotion({ state: "succeeded", targetWorkspaceId: 7, appliedAt: "2026-12-07T10:00:00Z" });
    expect(canUndoIn(applied, [{ id: 1 }, { id: 7 }])).toBe(true);
    expect(canUndoIn(applied, [{ id: 1 }])).toBe(false);
    expect(canUndoIn({ ...applied, state: "failed" }, [{ id: 7 }])).toBe(false);
    expect(canUndoIn({ ...applied, targetWorkspaceId: null }, [{ id: 7 }])).toBe(false);
  });

  it("has a report once applied", () => {
    expect(hasReport(promotion({ appliedAt: null }))).toBe(false);
    expect(hasReport(promotion({ appliedAt: "2026-12-07T10:00:00Z" }))).toBe(true);
    expect(hasReport(promotion({ appliedAt: "2026-12-07T10:00:00Z", importTask: null }))).toBe(false);
  });
});

describe("the Promote dialog", () => {
  it("offers profiles to a workspace of this console and to a remote console, not to a deleted workspace", () => {
    const remote = { ...profile({ id: 2 }), target: { kind: "remote", workspaceId: null, workspaceName: null, endpoint: "https://dgc.example.com" } } as unknown as Profile;
    const incomplete = { ...remote, id: 4, target: { ...remote.target, endpoint: "" } } as unknown as Profile;
    const shown = promotableProfiles([profile({ id: 1 }), remote, profile({ id: 3, workspaceId: null }), incomplete]);
    expect(shown.map((p) => p.id)).toEqual([1, 2]);
    expect(shown.map(profileTarget)).toEqual(["prod", "https://dgc.example.com"]);
  });

  it("names a remote promotion's target and polls it while its background step runs", () => {
    expect(promotionTarget(promotion({ targetWorkspaceName: null, targetLabel: "https://dgc.example.com (project p1)" }))).toBe("https://dgc.example.com (project p1)");
    expect(promotionTarget(promotion({ targetWorkspaceName: "prod", targetLabel: "" }))).toBe("prod");
    expect([isRunning(promotion({ state: "preparing" })), isRunning(promotion({ state: "applying" })), isRunning(promotion({ state: "previewing" }))]).toEqual([true, true, false]);
    expect(stateText("preparing")).toBe("Reading the target…");
  });

  it("sends the ticks compactly, the whole tree as the root directory", () => {
    const body = promoteBody(3, "  release 7 ", { all: false, directoryIds: [5], elementIds: [9], excludeDirectoryIds: [6], excludeElementIds: [11] });
    expect(body).toEqual({ profileId: 3, note: "release 7", jobIds: [9], directoryIds: [5], directoryPaths: [], excludeJobIds: [11], excludeDirectoryIds: [6], sinceLast: false });
    expect(promoteBody(3, "", { all: true, directoryIds: [], elementIds: [], excludeDirectoryIds: [], excludeElementIds: [] }).directoryPaths).toEqual(["/"]);
  });

  it("promotes everything changed since the last promotion without the ticks, and a canvas's job alone", () => {
    const body = promoteBody(3, "r8", { all: true, directoryIds: [5], elementIds: [9], excludeDirectoryIds: [], excludeElementIds: [] }, true);
    expect(body).toEqual({ profileId: 3, note: "r8", jobIds: [], directoryIds: [], directoryPaths: [], excludeJobIds: [], excludeDirectoryIds: [], sinceLast: true });
    expect(promoteBody(3, "", jobSelection(42))).toMatchObject({ jobIds: [42], directoryIds: [], directoryPaths: [], sinceLast: false });
  });

  it("asks for approval when the profile needs it, and says what Promote writes", () => {
    expect(startLabel(profile({ requiresApproval: true }))).toBe("Request approval");
    expect(startLabel(profile({}))).toBe("Show changes");
    expect(writesCount({ new: 1, changed: 2, unchanged: 9 })).toBe(3);
    expect(applyLabel({ changes: { new: 1, unchanged: 3 } })).toBe("Promote 1 object");
    expect(applyLabel({ changes: { changed: 2 } })).toBe("Promote 2 objects");
    expect(applyLabel({ changes: { unchanged: 2 } })).toBe("Promote (nothing to write)");
  });

  it("is in the tree's ⋮ menu for ticked jobs", () => {
    const base = {
      noun: { one: "Job", many: "Jobs" },
      selectable: true,
      checkboxes: true,
      showCheckBoxes: () => {},
      exportSelection: () => {},
      exportWorkspace: () => {},
      importPackage: () => {},
      batch: () => {},
      configureOwner: () => {},
      openDialog: () => {},
    };
    const item = (items: ReturnType<typeof kebabMenu>) => items.find((i) => i !== "separator" && i.label === "Promote Job");
    const ticked = item(kebabMenu({ ...base, anyChecked: true, promote: () => {} }));
    expect(ticked && ticked !== "separator" && !ticked.disabled).toBe(true);
    const none = item(kebabMenu({ ...base, anyChecked: false, promote: () => {} }));
    expect(none && none !== "separator" && none.disabled).toBe(true);
    expect(item(kebabMenu({ ...base, anyChecked: true }))).toBeUndefined();
  });
});

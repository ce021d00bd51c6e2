import { describe, expect, it } from "vitest";
import type { TreeElement } from "../api/types";
import { addFoundElements, emptyTree, hierarchyOf, mergePage, type PageOfChildren, type TreeData } from "./model";
import {
  batchSelection,
  compactSelection,
  dirCheckState,
  emptySelection,
  hasAnyChecked,
  isElementChecked,
  mixedDirs,
  selectionRequest,
  setDirChecked,
  setElementChecked,
  toggleDir,
  toggleElement,
  type Selection,
} from "./selection";

const el = (id: number, directory: number | null): TreeElement => ({
  category: "job",
  id,
  name: `job${id}`,
  owner: "alice",
  processType: "BATCH",
  lockHolder: null,
  lockedByMe: false,
  submitted: true,
  scheduled: true,
  updatedAt: "2025-01-01T00:00:00Z",
  directory: directory === null ? "/" : `/d${directory}`,
  scriptType: null,
  resourceType: null,
});

const page = (dirs: [number, string][], elements: TreeElement[], count?: number, offset = 0, limit = 100): PageOfChildren => ({
  directories: dirs.map(([id, name]) => ({ id, name, path: `/${name}`, parentId: null, hasChildren: true })),
  elements,
  count: count ?? elements.length,
  offset,
  limit,
});

/**
 * root
 *   A (1)            jobs 11, 12
 *     A1 (3)         jobs 31, 32   (loaded)
 *     A2 (4)         (never loaded)
 *   B (2)            jobs 21 .. (5000 of them, only the first page loaded)
 *   job 100 at the root
 */
function tree(): TreeData {
  let t = emptyTree();
  t = mergePage(t, null, page([[1, "A"], [2, "B"]], [el(100, null)]));
  t = mergePage(t, 1, page([[3, "A1"], [4, "A2"]], [el(11, 1), el(12, 1)]));
  t = mergePage(t, 3, page([], [el(31, 3), el(32, 3)]));
  t = mergePage(t, 2, page([], [el(21, 2), el(22, 2)], 5000, 0, 2));
  return t;
}

const state = (sel: Selection, t: TreeData, dir: number | null) => dirCheckState(sel, hierarchyOf(t), mixedDirs(sel, hierarchyOf(t)), dir);

describe("tree selection", () => {
  it("starts empty", () => {
    const t = tree();
    const sel = emptySelection();
    expect(hasAnyChecked(sel)).toBe(false);
    expect(state(sel, t, null)).toBe(false);
    expect(selectionRequest(sel, hierarchyOf(t))).toEqual({ all: false, directoryIds: [], elementIds: [], incomplete: [] });
  });

  it("ticking a directory selects all descendants, loaded or not, and is sent as one directory id", () => {
    const t = tree();
    const h = hierarchyOf(t);
    const sel = setDirChecked(emptySelection(), h, 1, true);
    expect(isElementChecked(sel, h, 11)).toBe(true);
    expect(isElementChecked(sel, h, 31)).toBe(true); // in a loaded sub-directory
    expect(state(sel, t, 4)).toBe(true); // A2 was never loaded, it is still ticked
    expect(isElementChecked(sel, h, 21)).toBe(false);
    expect(state(sel, t, null)).toBe("mixed");
    expect(selectionRequest(sel, h)).toEqual({ all: false, directoryIds: [1], elementIds: [], incomplete: [] });
  });

  it("unticking one job inside a ticked directory makes its ancestors mixed and sends the rest", () => {
    const t = tree();
    const h = hierarchyOf(t);
    let sel = setDirChecked(emptySelection(), h, 1, true);
    sel = setElementChecked(sel, h, 31, false);
    expect(state(sel, t, 3)).toBe("mixed");
    expect(state(sel, t, 1)).toBe("mixed");
    expect(state(sel, t, 4)).toBe(true);
    expect(state(sel, t, null)).toBe("mixed");
    // A is replaced by its ticked parts: A2 whole, job 32 in A1, jobs 11 and 12.
    expect(selectionRequest(sel, h)).toEqual({ all: false, directoryIds: [4], elementIds: [11, 12, 32], incomplete: [] });
  });

  it("select-all at the root sends all; an exception under a partly loaded directory asks for more", () => {
    const t = tree();
    const h = hierarchyOf(t);
    let sel = setDirChecked(emptySelection(), h, null, true);
    expect(state(sel, t, null)).toBe(true);
    expect(selectionRequest(sel, h)).toEqual({ all: true, directoryIds: [], elementIds: [], incomplete: [] });
    sel = setElementChecked(sel, h, 22, false);
    expect(state(sel, t, 2)).toBe("mixed");
    const req = selectionRequest(sel, h);
    expect(req.incomplete).toEqual([2]); // B's 5,000 jobs are not all loaded
    expect(req.directoryIds).toEqual([1]);
    expect(req.elementIds).toEqual([100]);
    expect(req.all).toBe(false);
  });

  it("re-ticking the excepted job restores the plain directory", () => {
    const t = tree();
    const h = hierarchyOf(t);
    let sel = setDirChecked(emptySelection(), h, 1, true);
    sel = toggleElement(sel, h, 11);
    sel = toggleElement(sel, h, 11);
    expect(sel.elements).toEqual({});
    expect(state(sel, t, 1)).toBe(true);
  });

  it("ticking every child of a fully loaded directory ticks the directory itself", () => {
    const t = tree();
    const h = hierarchyOf(t);
    let sel = setElementChecked(emptySelection(), h, 31, true);
    expect(state(sel, t, 3)).toBe("mixed");
    sel = setElementChecked(sel, h, 32, true);
    expect(state(sel, t, 3)).toBe(true);
    expect(sel.dirs).toEqual({ "3": true });
    expect(sel.elements).toEqual({});
    expect(selectionRequest(sel, h)).toEqual({ all: false, directoryIds: [3], elementIds: [], incomplete: [] });
  });

  it("does not compact a partly loaded directory", () => {
    const t = tree();
    const h = hierarchyOf(t);
    let sel = setElementChecked(emptySelection(), h, 21, true);
    sel = setElementChecked(sel, h, 22, true);
    expect(state(sel, t, 2)).toBe("mixed"); // 4,998 other jobs are not ticked
    expect(selectionRequest(sel, h).elementIds).toEqual([21, 22]);
  });

  it("three jobs in two directories are sent as three job ids", () => {
    const t = tree();
    const h = hierarchyOf(t);
    let sel = emptySelection();
    sel = toggleElement(sel, h, 11);
    sel = toggleElement(sel, h, 12 - 1 + 1); // job 12
    sel = toggleElement(sel, h, 21);
    // 11 and 12 are not all of A (A has sub-directories), so no compaction.
    expect(selectionRequest(sel, h)).toEqual({ all: false, directoryIds: [], elementIds: [11, 12, 21], incomplete: [] });
  });

  it("a click on a mixed box ticks everything below it; a second click clears it", () => {
    const t = tree();
    const h = hierarchyOf(t);
    let sel = setElementChecked(emptySelection(), h, 11, true);
    expect(state(sel, t, 1)).toBe("mixed");
    sel = toggleDir(sel, h, 1);
    expect(state(sel, t, 1)).toBe(true);
    expect(sel.elements).toEqual({});
    sel = toggleDir(sel, h, 1);
    expect(state(sel, t, 1)).toBe(false);
    expect(hasAnyChecked(sel)).toBe(false);
  });

  it("a ticked region inside an unticked directory inside a ticked one", () => {
    const t = tree();
    const h = hierarchyOf(t);
    let sel = setDirChecked(emptySelection(), h, null, true);
    sel = setDirChecked(sel, h, 1, false);
    sel = setDirChecked(sel, h, 3, true);
    expect(state(sel, t, 1)).toBe("mixed");
    expect(state(sel, t, 3)).toBe(true);
    expect(state(sel, t, 4)).toBe(false);
    const req = selectionRequest(sel, h);
    expect(req).toEqual({ all: false, directoryIds: [2, 3], elementIds: [100], incomplete: [] });
  });

  it("unticking everything under a ticked root clears the root too", () => {
    const t = tree();
    const h = hierarchyOf(t);
    let sel = setDirChecked(emptySelection(), h, null, true);
    sel = setDirChecked(sel, h, 1, false);
    sel = setDirChecked(sel, h, 2, false);
    sel = setElementChecked(sel, h, 100, false);
    expect(state(sel, t, null)).toBe(false);
    expect(hasAnyChecked(sel)).toBe(false);
  });

  it("search results whose directories were never loaded count under the root", () => {
    let t = tree();
    t = addFoundElements(t, [el(900, 77)]);
    const h = hierarchyOf(t);
    const sel = setElementChecked(emptySelection(), h, 900, true);
    expect(isElementChecked(sel, h, 900)).toBe(true);
    expect(selectionRequest(sel, h).elementIds).toEqual([900]);
  });
});

describe("the selection as the export request (compact: directories plus exclusions)", () => {
  const none = { all: false, directoryIds: [], elementIds: [], excludeDirectoryIds: [], excludeElementIds: [] };

  it("is empty at first and one directory id for a ticked directory", () => {
    const h = hierarchyOf(tree());
    expect(compactSelection(emptySelection(), h)).toEqual(none);
    expect(compactSelection(setDirChecked(emptySelection(), h, 1, true), h)).toEqual({ ...none, directoryIds: [1] });
  });

  it("a ticked directory with jobs unticked in it is the directory and the exclusions, nothing loaded", () => {
    const t = tree();
    const h = hierarchyOf(t);
    let sel = setDirChecked(emptySelection(), h, 2, true);
    sel = setElementChecked(sel, h, 22, false); // B holds 5,000 jobs, only two of them loaded
    sel = setElementChecked(sel, h, 21, false);
    expect(state(sel, t, 2)).toBe("mixed");
    expect(compactSelection(sel, h)).toEqual({ ...none, directoryIds: [2], excludeElementIds: [21, 22] });
  });

  it("select-all with a directory and a job unticked is all plus the exclusions", () => {
    const h = hierarchyOf(tree());
    let sel = setDirChecked(emptySelection(), h, null, true);
    sel = setDirChecked(sel, h, 3, false);
    sel = setElementChecked(sel, h, 22, false);
    expect(compactSelection(sel, h)).toEqual({ ...none, all: true, excludeDirectoryIds: [3], excludeElementIds: [22] });
  });

  it("what is ticked again inside an unticked directory is sent as ticked (the nearest decision wins)", () => {
    const h = hierarchyOf(tree());
    let sel = setDirChecked(emptySelection(), h, null, true);
    sel = setDirChecked(sel, h, 1, false);
    sel = setDirChecked(sel, h, 3, true);
    sel = setElementChecked(sel, h, 11, true);
    sel = setElementChecked(sel, h, 32, false);
    expect(compactSelection(sel, h)).toEqual({
      all: true,
      directoryIds: [3],
      elementIds: [11],
      excludeDirectoryIds: [1],
      excludeElementIds: [32],
    });
  });

  it("three jobs ticked in two directories are three job ids", () => {
    const h = hierarchyOf(tree());
    let sel = emptySelection();
    for (const id of [11, 12, 21]) sel = toggleElement(sel, h, id);
    expect(compactSelection(sel, h)).toEqual({ ...none, elementIds: [11, 12, 21] });
  });

  it("leaves out marks that repeat what they inherit", () => {
    const h = hierarchyOf(tree());
    const sel: Selection = { root: true, dirs: { "1": true, "2": false }, elements: { "11": true, "21": false, "100": true } };
    expect(compactSelection(sel, h)).toEqual({ ...none, all: true, excludeDirectoryIds: [2] });
  });
});

describe("the selection as the batch operations take it (Delete, Move, Unlock, Configure Owner)", () => {
  it("is the compact selection in the API's names: a directory of 5,000 jobs with two unticked is one id and two exclusions", () => {
    const h = hierarchyOf(tree());
    let sel = setDirChecked(emptySelection(), h, 2, true);
    sel = setElementChecked(sel, h, 22, false);
    sel = setElementChecked(sel, h, 21, false);
    expect(batchSelection(compactSelection(sel, h))).toEqual({
      all: false,
      ids: [],
      directoryIds: [2],
      excludeIds: [21, 22],
      excludeDirectoryIds: [],
    });
  });
});

import { describe, expect, it } from "vitest";
import type { TreeElement } from "../api/types";
import { addFoundElements, elementMark, emptyTree, flattenTree, invalidateDir, lockLabel, mergePage, searchRows, treeKeyAction, type PageOfChildren, type Row } from "./model";

const el = (id: number, directory: number | null, name = `job${id}`): TreeElement => ({
  category: "job",
  id,
  name,
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

const page = (dirs: [number, string, boolean?][], elements: TreeElement[], count: number, offset = 0, limit = 2): PageOfChildren => ({
  directories: dirs.map(([id, name, hasChildren]) => ({ id, name, path: `/${name}`, parentId: null, hasChildren: hasChildren ?? true })),
  elements,
  count,
  offset,
  limit,
});

describe("mergePage", () => {
  it("pages a large directory and knows when it is complete", () => {
    let t = mergePage(emptyTree(), null, page([[1, "A"]], [el(1, null), el(2, null)], 5));
    expect(t.children.root).toMatchObject({ dirs: [1], elements: [1, 2], loaded: 2, complete: false });
    t = mergePage(t, null, page([], [el(3, null), el(4, null)], 5, 2));
    t = mergePage(t, null, page([], [el(5, null)], 5, 4));
    expect(t.children.root).toMatchObject({ dirs: [1], elements: [1, 2, 3, 4, 5], complete: true });
    expect(t.dirs["1"].parent).toBeNull();
  });

  it("a first page again replaces the list (refresh), and duplicates are not repeated", () => {
    let t = mergePage(emptyTree(), null, page([], [el(1, null), el(2, null)], 3));
    t = mergePage(t, null, page([], [el(2, null), el(3, null)], 3, 1));
    expect(t.children.root.elements).toEqual([1, 2, 3]);
    t = mergePage(t, null, page([], [el(9, null)], 1));
    expect(t.children.root.elements).toEqual([9]);
  });

  it("invalidateDir forgets a directory's children", () => {
    const t = invalidateDir(mergePage(emptyTree(), 4, page([], [el(1, 4)], 1)), 4);
    expect(t.children["4"]).toBeUndefined();
    expect(t.elements["1"]).toBeDefined();
  });
});

describe("flattenTree", () => {
  const t = (() => {
    let t = mergePage(emptyTree(), null, page([[1, "A"], [2, "B", false]], [el(100, null)], 1, 0, 50));
    t = mergePage(t, 1, page([], [el(11, 1), el(12, 1)], 3));
    return t;
  })();

  it("shows the root and its children only when expanded, with a row to load more", () => {
    const collapsed = flattenTree(t, new Set());
    expect(collapsed.map((r) => r.key)).toEqual(["d:root"]);
    const rows = flattenTree(t, new Set(["root", "1"]));
    expect(rows.map((r) => r.key)).toEqual(["d:root", "d:1", "e:11", "e:12", "more:1", "d:2", "e:100"]);
    expect(rows.map((r) => r.depth)).toEqual([0, 1, 2, 2, 2, 1, 1]);
    expect(rows.find((r) => r.key === "d:2")).toMatchObject({ expandable: false });
  });

  it("shows a loading row for an expanded directory not loaded yet", () => {
    const rows = flattenTree(t, new Set(["root", "2"]));
    expect(rows.find((r) => r.key === "loading:2")).toBeTruthy();
  });

  it("keeps 5,000 rows cheap", () => {
    let big = mergePage(emptyTree(), null, page([], Array.from({ length: 5000 }, (_, i) => el(i + 1, null)), 5000, 0, 5000));
    big = mergePage(big, null, page([], [], 5000, 5000, 5000));
    const start = performance.now();
    const rows = flattenTree(big, new Set(["root"]));
    expect(rows.length).toBe(5001);
    expect(performance.now() - start).toBeLessThan(200);
  });

  it("search rows list the matches flat under the root", () => {
    expect(searchRows([5, 6]).map((r) => r.key)).toEqual(["d:root", "e:5", "e:6"]);
  });
});

describe("treeKeyAction", () => {
  const t = (() => {
    let t = mergePage(emptyTree(), null, page([[1, "A"], [2, "B"]], [el(100, null, "zeta")], 1, 0, 50));
    t = mergePage(t, 1, page([], [el(11, 1, "alpha"), el(12, 1, "beta")], 2));
    return t;
  })();
  const rows = flattenTree(t, new Set(["root", "1"])); // root, A, alpha, beta, B, zeta
  const label = (r: Row) => (r.kind === "element" ? t.elements[String(r.id)].name : r.kind === "dir" && r.id !== null ? t.dirs[String(r.id)].name : "Jobs");

  it("moves with arrows, Home and End", () => {
    expect(treeKeyAction(rows, 0, "ArrowDown")).toEqual({ type: "focus", index: 1 });
    expect(treeKeyAction(rows, 5, "ArrowDown")).toEqual({ type: "focus", index: 5 });
    expect(treeKeyAction(rows, 3, "ArrowUp")).toEqual({ type: "focus", index: 2 });
    expect(treeKeyAction(rows, 3, "Home")).toEqual({ type: "focus", index: 0 });
    expect(treeKeyAction(rows, 0, "End")).toEqual({ type: "focus", index: 5 });
  });

  it("expands, enters, collapses and goes to the parent", () => {
    expect(treeKeyAction(rows, 4, "ArrowRight")).toMatchObject({ type: "expand", row: { id: 2 } });
    expect(treeKeyAction(rows, 1, "ArrowRight")).toEqual({ type: "focus", index: 2 });
    expect(treeKeyAction(rows, 1, "ArrowLeft")).toMatchObject({ type: "collapse", row: { id: 1 } });
    expect(treeKeyAction(rows, 3, "ArrowLeft")).toEqual({ type: "focus", index: 1 });
    expect(treeKeyAction(rows, 2, "ArrowRight")).toBeNull();
  });

  it("Enter opens a job, Space toggles its box only when boxes are shown", () => {
    expect(treeKeyAction(rows, 2, "Enter")).toMatchObject({ type: "open", row: { id: 11 } });
    expect(treeKeyAction(rows, 2, " ", { checkboxes: false })).toBeNull();
    expect(treeKeyAction(rows, 2, " ", { checkboxes: true })).toMatchObject({ type: "toggleCheck", row: { id: 11 } });
    expect(treeKeyAction(rows, 4, "Enter")).toMatchObject({ type: "expand" });
  });

  it("typing a letter moves to the next row starting with it", () => {
    expect(treeKeyAction(rows, 0, "z", { checkboxes: false, label })).toEqual({ type: "focus", index: 5 });
    expect(treeKeyAction(rows, 2, "b", { checkboxes: false, label })).toEqual({ type: "focus", index: 3 });
  });

  it("opens the context menu from the keyboard", () => {
    expect(treeKeyAction(rows, 2, "F10", { checkboxes: false, shift: true })).toMatchObject({ type: "menu" });
    expect(treeKeyAction(rows, 2, "ContextMenu")).toMatchObject({ type: "menu" });
  });
});

describe("labels", () => {
  it("marks unsubmitted red and unscheduled yellow", () => {
    expect(elementMark({ submitted: false, scheduled: false }, "job")).toBe("unsubmitted");
    expect(elementMark({ submitted: true, scheduled: false }, "job")).toBe("unscheduled");
    expect(elementMark({ submitted: true, scheduled: false }, "script")).toBeNull();
    expect(elementMark({ submitted: true, scheduled: true }, "job")).toBeNull();
  });

  it("says who holds the lock", () => {
    expect(lockLabel({ lockedByMe: true, lockHolder: "me" })).toBe("Locked by you");
    expect(lockLabel({ lockedByMe: false, lockHolder: "bob" })).toBe("Locked by bob");
    expect(lockLabel({ lockedByMe: false, lockHolder: null })).toBeNull();
  });
});

describe("addFoundElements", () => {
  it("places search results in loaded directories by path, unknown ones nowhere", () => {
    let t = mergePage(emptyTree(), null, page([[1, "A"]], [], 0, 0, 50));
    t = addFoundElements(t, [{ ...el(7, 1), directory: "/A" }, el(8, null), { ...el(9, null), directory: "/Z/Y" }]);
    expect(t.elements["7"].dirId).toBe(1);
    expect(t.elements["8"].dirId).toBeNull();
    expect(t.elements["9"].dirId).toBeUndefined();
  });
});

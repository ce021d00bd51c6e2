import { describe, expect, it } from "vitest";
import type { Inspection } from "../api/types";
import { after, before, jobDiff, scriptDiff } from "../diff/fixtures";
import {
  changeChips,
  changeName,
  changesQuery,
  countsText,
  diffView,
  emptyFilter,
  emptyText,
  importHint,
  importLabel,
  listRows,
  nextOffset,
  newJobDiff,
  objectsToWrite,
  rowDetail,
  rowLabel,
  summaryLine,
  summaryOf,
  toggleChange,
  toggleType,
  typeChips,
  wantsMore,
  type ChangeSummary,
  type LoadedPage,
  type ObjectChange,
  type ObjectChangeDetail,
} from "./changes";

const summary = (over: Partial<ChangeSummary> = {}): ChangeSummary => ({ new: 34, changed: 112, unchanged: 9850, skipped: 0, failed: 0, ...over });

const change = (id: number, over: Partial<ObjectChange> = {}): ObjectChange => ({ id, type: "job", name: `j${id}`, newName: "", change: "unchanged", message: "", counts: {}, ...over });

describe("the summary line and the Import button", () => {
  it("says how many objects are new, changed and unchanged, and skipped and failed only when any", () => {
    expect(summaryLine(summary())).toBe("34 new, 112 changed, 9,850 unchanged");
    expect(summaryLine(summary({ skipped: 2, failed: 1 }))).toBe("34 new, 112 changed, 9,850 unchanged, 2 skipped, 1 failed");
    expect(summaryLine(summaryOf({ new: 1 }))).toBe("1 new, 0 changed, 0 unchanged");
    expect(summaryOf(null)).toEqual({ new: 0, changed: 0, unchanged: 0, skipped: 0, failed: 0 });
  });

  it("names what Import will write: the unchanged only when they are not skipped", () => {
    expect(objectsToWrite(summary(), true)).toBe(146);
    expect(importLabel(summary(), true)).toBe("Import 146 objects");
    expect(importLabel(summary(), false)).toBe("Import 9,996 objects");
    expect(importLabel(summary({ new: 1, changed: 0 }), true)).toBe("Import 1 object");
  });

  it("says when a second import of the same package writes nothing", () => {
    const same = summary({ new: 0, changed: 0, unchanged: 3 });
    expect(importLabel(same, true)).toBe("Import 0 objects");
    expect(importHint(same, true)).toMatch(/nothing will be written, each is reported as unchanged/);
    expect(importHint(same, false)).toBeNull();
    expect(importHint(summary({ failed: 2 }), true)).toBe("2 objects will fail.");
    expect(importHint(summary(), true)).toBeNull();
  });
});

describe("the filter chips", () => {
  it("offers new, changed and unchanged always, skipped and failed when any, each with its count", () => {
    expect(changeChips(summary(), emptyFilter()).map((c) => [c.label, c.count, c.pressed])).toEqual([
      ["New", 34, false],
      ["Changed", 112, false],
      ["Unchanged", 9850, false],
    ]);
    const f = toggleChange(emptyFilter(), "failed");
    expect(changeChips(summary({ failed: 1 }), f).map((c) => [c.value, c.pressed])).toEqual([
      ["new", false],
      ["changed", false],
      ["unchanged", false],
      ["failed", true],
    ]);
  });

  it("pressing a chip filters by it, pressing it again shows everything, another chip replaces it", () => {
    let f = toggleChange(emptyFilter(), "changed");
    expect(f.change).toBe("changed");
    expect(toggleChange(f, "new").change).toBe("new");
    f = toggleChange(f, "changed");
    expect(f.change).toBeNull();
    f = toggleType(toggleType(f, "job"), "script");
    expect(f.type).toBe("script");
    expect(toggleType(f, "script").type).toBeNull();
  });

  it("offers a chip per type the package holds, none when it holds one type", () => {
    const inspection = { jobs: [{ name: "a", exists: false }], scripts: [{ name: "s", exists: true }], resources: [], connections: [], missing: [] } as Inspection;
    expect(typeChips(inspection, emptyFilter()).map((c) => c.label)).toEqual(["Jobs", "Scripts"]);
    expect(typeChips({ ...inspection, scripts: [] }, emptyFilter())).toEqual([]);
    expect(typeChips(null, emptyFilter())).toEqual([]);
  });

  it("asks the server for one page of what the chips and the search say", () => {
    expect(changesQuery(emptyFilter(), 0, 200)).toEqual({ change: undefined, type: undefined, search: undefined, offset: 0, limit: 200 });
    expect(changesQuery({ change: "changed", type: "job", search: "  sales " }, 400, 200)).toEqual({ change: "changed", type: "job", search: "sales", offset: 400, limit: 200 });
  });

  it("says what it did not find", () => {
    expect(emptyText(emptyFilter())).toBe("No objects.");
    expect(emptyText({ change: "failed", type: null, search: "" })).toBe("No failed objects.");
    expect(emptyText({ change: "changed", type: "script", search: "x " })).toBe("No changed scripts match “x”.");
  });
});

describe("the virtual list's pages", () => {
  const page = (offset: number, n: number, count: number): LoadedPage => ({
    offset,
    count,
    next: null,
    previous: null,
    results: Array.from({ length: n }, (_, i) => change(offset + i + 1)),
  });

  it("pages on until every row is loaded", () => {
    expect(nextOffset(page(0, 200, 10_000))).toBe(200);
    expect(nextOffset(page(9800, 200, 10_000))).toBeUndefined();
    expect(nextOffset(page(200, 0, 10_000))).toBeUndefined(); // rows went away meanwhile
  });

  it("has a row per object of the change-set, loaded or not, in the server's order", () => {
    const { rows, total } = listRows([page(0, 200, 10_000), page(200, 200, 10_000)]);
    expect(total).toBe(10_000);
    expect(rows).toHaveLength(400);
    expect(rows[399].id).toBe(400);
    expect(listRows(undefined)).toEqual({ rows: [], total: 0 });
  });

  it("loads the next page when the rows in view come near the end of what is loaded", () => {
    expect(wantsMore(100, 400, 10_000)).toBe(false);
    expect(wantsMore(360, 400, 10_000)).toBe(true);
    expect(wantsMore(5000, 400, 10_000)).toBe(true); // scrolled far ahead
    expect(wantsMore(399, 400, 400)).toBe(false); // everything is loaded
  });

  it("reads 10,000 rows fast enough to do at every page", () => {
    const pages = Array.from({ length: 50 }, (_, i) => page(i * 200, 200, 10_000));
    const t = performance.now();
    for (let i = 0; i < 20; i++) listRows(pages);
    expect(listRows(pages).rows).toHaveLength(10_000);
    expect((performance.now() - t) / 20).toBeLessThan(50); // about 1 ms here; generous for a busy machine
  });
});

describe("one row", () => {
  it("says what changed in few words, and why an object is skipped or fails", () => {
    const job = change(1, { change: "changed", counts: { nodesAdded: 1, nodesRemoved: 2, nodesModified: 3, edgesAdded: 1, properties: 1 } });
    expect(countsText(job)).toBe("nodes +1 −2 ~3; edges +1; 1 property");
    expect(rowDetail(job)).toBe(countsText(job));
    expect(countsText(change(2, { type: "script", change: "changed", counts: { linesAdded: 4, linesRemoved: 2, properties: 2 } }))).toBe("lines +4 −2; 2 properties");
    expect(rowDetail(change(3, { change: "failed", message: "job j3 is locked by carol" }))).toBe("job j3 is locked by carol");
    expect(rowDetail(change(4, { change: "unchanged" }))).toBe("");
    expect(changeName(change(5, { name: "a", newName: "a_1" }))).toBe("a → a_1");
    expect(changeName(change(6, { name: "a" }))).toBe("a");
    expect(rowLabel(job)).toBe("Changed job j1: nodes +1 −2 ~3; edges +1; 1 property");
    expect(rowLabel(change(7, { type: "environment_variable", change: "new" }))).toBe("New environment variable j7");
    const variable = change(8, { type: "environment_variable", name: "DB_HOST", change: "changed", message: "Environment variable DB_HOST is set to 'prod' (was 'dev')." });
    expect(rowLabel(variable)).toBe("Changed environment variable DB_HOST: Environment variable DB_HOST is set to 'prod' (was 'dev').");
  });
});

describe("one object's diff", () => {
  const detail = (over: Partial<ObjectChangeDetail>): ObjectChangeDetail => ({ ...change(1), diff: {}, before: {}, after: {}, ...over }) as ObjectChangeDetail;

  it("draws a changed job's DAG from both documents, and a new job's with every node added", () => {
    const changed = diffView(detail({ change: "changed", diff: jobDiff as never, before: before as never, after: after as never }));
    expect(changed.kind).toBe("job");
    if (changed.kind === "job") expect([changed.diff, changed.before, changed.after]).toEqual([jobDiff, before, after]);

    const fresh = diffView(detail({ change: "new", diff: null as never, before: null as never, after: after as never }));
    expect(fresh.kind).toBe("job");
    if (fresh.kind === "job") {
      expect(fresh.diff.nodes.map((n) => [n.name, n.status])).toEqual([
        ["extract", "added"],
        ["load", "added"],
        ["notify", "added"],
      ]);
      expect(fresh.diff.edges.map((e) => `${e.source}->${e.target}`)).toEqual(["extract->load", "load->notify"]);
      expect(fresh.before).toBeNull();
    }
    expect(newJobDiff(after).summary).toMatchObject({ nodesAdded: 3, edgesAdded: 2 });
  });

  it("shows a script's line diff, a resource's properties, and a sentence when there is no diff", () => {
    expect(diffView(detail({ type: "script", change: "changed", diff: scriptDiff as never })).kind).toBe("script");
    const props = diffView(detail({ type: "resource", change: "changed", diff: { changed: true, properties: [] } as never }));
    expect(props.kind).toBe("properties");
    expect(diffView(detail({ change: "unchanged", diff: null as never }))).toEqual({ kind: "none", text: "No differences." });
    expect(diffView(detail({ type: "script", change: "new", diff: null as never, after: null as never }))).toEqual({ kind: "none", text: "A new script: it is created as the package defines it." });
    expect(diffView(detail({ change: "failed", message: "locked by carol", diff: null as never }))).toEqual({ kind: "none", text: "locked by carol" });
  });
});

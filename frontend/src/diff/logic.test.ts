import { describe, expect, it } from "vitest";
import { after, before, change, jobDiff, noChange, scriptDiff } from "./fixtures";
import { diffDocument, diffLines, edgeClassNames, formatValue, jobRows, jobSummary, nodeClassNames, scriptSummary } from "./logic";

describe("the job diff on the canvas", () => {
  it("draws the newer version's nodes and the removed ones, with the removed edges", () => {
    const doc = diffDocument(before, after, jobDiff);
    expect(doc.nodes.map((n) => n.name)).toEqual(["extract", "load", "notify", "report"]);
    const report = doc.nodes.find((n) => n.name === "report")!;
    expect(report.location).toEqual({ x: 400, y: 0 }); // where it was
    expect(report.preNodeName).toEqual(["load"]); // the removed edge, drawn again
    expect(doc.nodes.find((n) => n.name === "load")!.properties).toEqual([{ name: "database", value: "analytics" }]);
    // the inputs are left as they were
    expect(after.nodes).toHaveLength(3);
    expect(after.nodes[0].preNodeName).toEqual([]);
  });

  it("draws a removed edge between two nodes that both remain", () => {
    const diff = { ...noChange, nodes: [...noChange.nodes, { name: "load", type: "Dummy", status: "unchanged" as const, changes: [] }], edges: [{ source: "extract", target: "load", status: "removed" as const }] };
    const now = { name: "j", nodes: [{ name: "extract", type: "Dummy" }, { name: "load", type: "Dummy" }] };
    expect(diffDocument(now, now, diff).nodes[1].preNodeName).toEqual(["extract"]);
  });

  it("tolerates a missing side", () => {
    expect(diffDocument(null, after, { ...jobDiff, nodes: jobDiff.nodes.filter((n) => n.status !== "removed") }).nodes).toHaveLength(3);
    expect(diffDocument(before, undefined, jobDiff).nodes.map((n) => n.name)).toEqual(["report"]);
  });

  it("gives every node and edge the class of its status", () => {
    expect(nodeClassNames(jobDiff)).toEqual({ extract: "diff-unchanged", load: "diff-modified", notify: "diff-added", report: "diff-removed" });
    expect(edgeClassNames(jobDiff)).toEqual({ "extract->load": "diff-unchanged", "load->notify": "diff-added", "load->report": "diff-removed" });
  });
});

describe("the change list", () => {
  it("summarises", () => {
    expect(jobSummary(jobDiff)).toBe("nodes: 1 added, 1 removed, 1 modified; edges: 1 added, 1 removed; 1 schedule change; 1 parameter change");
    expect(jobSummary(noChange)).toBe("No differences");
    expect(scriptSummary(scriptDiff)).toBe("content: +1 −1 lines; 2 property changes");
    expect(scriptSummary({ changed: false, contentDiff: [], linesAdded: 0, linesRemoved: 0, properties: [] })).toBe("No differences");
  });

  it("shows values as JSON, a missing side as a dash and a secret only as set or not", () => {
    const c = change("properties.x.value", "changed", "a", 3);
    expect([formatValue(c, "old"), formatValue(c, "new")]).toEqual(['"a"', "3"]);
    const added = change("params.p.value", "added", null, { k: [1] });
    expect([formatValue(added, "old"), formatValue(added, "new")]).toEqual(["—", '{"k":[1]}']);
    const secret = change("properties.pw.value", "changed", true, false, true);
    expect([formatValue(secret, "old"), formatValue(secret, "new")]).toEqual(["set (hidden)", "not set"]);
    expect(formatValue(change("x", "changed", "y".repeat(1000), null), "old").length).toBeLessThanOrEqual(300);
    expect(formatValue(change("x", "changed", 1, null), "new")).toBe("null");
  });

  it("lists nodes added and removed, each changed property, edges, schedule and parameters; nothing unchanged", () => {
    const rows = jobRows(jobDiff);
    expect(rows.map((r) => [r.group, r.status, r.path, r.old, r.new])).toEqual([
      ["load", "changed", "properties.database.value", '"postgres"', '"analytics"'],
      ["notify", "added", "node (SMN)", "—", "SMN"],
      ["report", "removed", "node (SMN)", "SMN", "—"],
      ["Edges", "added", "load → notify", "—", "edge"],
      ["Edges", "removed", "load → report", "edge", "—"],
      ["Schedule", "changed", "schedule.cron.expression", '"0 0 2 * * ?"', '"0 30 3 * * ?"'],
      ["Parameters", "changed", "params.token.value", "set (hidden)", "not set"],
    ]);
    expect(rows.filter((r) => r.node).map((r) => r.node)).toEqual(["load", "notify", "report"]);
    expect(jobRows(noChange)).toEqual([]);
  });
});

describe("the line diff", () => {
  it("numbers each line on its side", () => {
    const lines = diffLines(scriptDiff.contentDiff);
    expect(lines.map((l) => [l.kind, l.text, l.oldNumber, l.newNumber])).toEqual([
      ["meta", "--- before", undefined, undefined],
      ["meta", "+++ after", undefined, undefined],
      ["hunk", "@@ -1,3 +1,3 @@", undefined, undefined],
      ["context", "SELECT 1;", 1, 1],
      ["del", "SELECT 2;", 2, undefined],
      ["add", "SELECT 20;", undefined, 2],
      ["context", "SELECT 3;", 3, 3],
    ]);
  });

  it("follows each hunk's numbers", () => {
    const lines = diffLines(["--- before", "+++ after", "@@ -10,2 +12 @@", " a", "-b", "\\ No newline at end of file"]);
    expect(lines.slice(3).map((l) => [l.kind, l.oldNumber, l.newNumber])).toEqual([
      ["context", 10, 12],
      ["del", 11, undefined],
      ["meta", undefined, undefined],
    ]);
    expect(diffLines([])).toEqual([]);
  });
});

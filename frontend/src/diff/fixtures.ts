/** Diffs as the server answers them (factory/packages/diff.py's to_dict), for the tests. */
import type { JobDocument } from "../api/types";
import type { DiffChange, JobDiff, ScriptDiff } from "./logic";

export const change = (path: string, kind: DiffChange["kind"], old: unknown, next: unknown, secret = false): DiffChange => ({ path, kind, old, new: next, secret });

/** extract -> load -> report (v1), then: load's database changed, report removed, notify added after load. */
export const before: JobDocument = {
  name: "pipeline",
  processType: "BATCH",
  nodes: [
    { name: "extract", type: "Dummy", location: { x: 0, y: 0 }, preNodeName: [] },
    { name: "load", type: "DWSSQL", location: { x: 200, y: 0 }, preNodeName: ["extract"], properties: [{ name: "database", value: "postgres" }] },
    { name: "report", type: "SMN", location: { x: 400, y: 0 }, preNodeName: ["load"] },
  ],
};

export const after: JobDocument = {
  name: "pipeline",
  processType: "BATCH",
  nodes: [
    { name: "extract", type: "Dummy", location: { x: 0, y: 0 }, preNodeName: [] },
    { name: "load", type: "DWSSQL", location: { x: 200, y: 0 }, preNodeName: ["extract"], properties: [{ name: "database", value: "analytics" }] },
    { name: "notify", type: "SMN", location: { x: 400, y: 100 }, preNodeName: ["load"] },
  ],
};

export const jobDiff: JobDiff = {
  changed: true,
  summary: { nodesAdded: 1, nodesRemoved: 1, nodesModified: 1, edgesAdded: 1, edgesRemoved: 1, schedule: 1, params: 1, properties: 0 },
  nodes: [
    { name: "extract", type: "Dummy", status: "unchanged", changes: [] },
    { name: "load", type: "DWSSQL", status: "modified", changes: [change("properties.database.value", "changed", "postgres", "analytics")] },
    { name: "notify", type: "SMN", status: "added", changes: [] },
    { name: "report", type: "SMN", status: "removed", changes: [] },
  ],
  edges: [
    { source: "extract", target: "load", status: "unchanged" },
    { source: "load", target: "notify", status: "added" },
    { source: "load", target: "report", status: "removed" },
  ],
  schedule: [change("schedule.cron.expression", "changed", "0 0 2 * * ?", "0 30 3 * * ?")],
  params: [change("params.token.value", "changed", true, false, true)],
  properties: [],
};

export const noChange: JobDiff = {
  changed: false,
  summary: { nodesAdded: 0, nodesRemoved: 0, nodesModified: 0, edgesAdded: 0, edgesRemoved: 0, schedule: 0, params: 0, properties: 0 },
  nodes: [{ name: "extract", type: "Dummy", status: "unchanged", changes: [] }],
  edges: [],
  schedule: [],
  params: [],
  properties: [],
};

export const scriptDiff: ScriptDiff = {
  changed: true,
  contentDiff: ["--- before", "+++ after", "@@ -1,3 +1,3 @@", " SELECT 1;", "-SELECT 2;", "+SELECT 20;", " SELECT 3;"],
  linesAdded: 1,
  linesRemoved: 1,
  properties: [change("database", "changed", "postgres", "analytics"), change('configuration["spark.password"]', "removed", true, null, true)],
};

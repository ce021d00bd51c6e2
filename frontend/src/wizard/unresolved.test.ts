import { describe, expect, it } from "vitest";
import type { ImportReport, ImportTask, Inspection } from "../api/types";
import { applyRequest, canGoNext, initialWizard, LEAVE_UNRESOLVED, missingItems, reviewProblem, unresolved, wizardReducer, type WizardEvent } from "./machine";
import { replacementCandidates, scriptTypeFits, unresolvedByJob, unresolvedText } from "./references";

const use = (job: string, node: string, property: string) => [{ type: "job", name: job, node, property }];

const inspection: Inspection = {
  jobs: [{ name: "trips", exists: false }],
  scripts: [],
  resources: [],
  connections: [],
  missing: [
    {
      kind: "connection",
      connectionType: "DWS",
      label: "DWS data connection",
      required: true,
      canLeaveUnresolved: false,
      candidates: ["dws_prod"],
      references: [{ name: "dws_x", usedBy: use("trips", "load", "connectionName"), canCreate: false }],
    },
    {
      kind: "script",
      connectionType: null,
      label: "Script",
      required: true,
      canLeaveUnresolved: true,
      candidates: ["dws_a", "hive_b", "dws_c", "unknown_d"],
      references: [{ name: "load_sql", usedBy: use("trips", "load", "scriptName"), canCreate: false, scriptTypes: ["DWSSQL"] }],
    },
    {
      kind: "dli_queue",
      connectionType: null,
      label: "DLI queue",
      required: true,
      canLeaveUnresolved: true,
      candidates: ["default"],
      references: [{ name: "q1", usedBy: use("trips", "dli", "queueName"), canCreate: false }],
    },
  ],
  warnings: ["Job trips: node odd: unknown type Mystery, its references are not checked."],
};

const task = (over: Partial<ImportTask>): ImportTask => ({ id: "t1", status: "RUNNING", progress: 0, message: "", ...over }) as ImportTask;
const toReview = () =>
  (
    [
      { type: "setObsPath", path: "obs://bucket/DLF_trips.zip" },
      { type: "starting" },
      { type: "started", task: task({ status: "PENDING" }) },
      { type: "task", task: task({ status: "WAITING", step: "inspected", progress: 100, inspection }) },
    ] as WizardEvent[]
  ).reduce(wizardReducer, initialWizard());

describe("step 2: leave unresolved", () => {
  it("a missing script or queue may be left unresolved and the request says so", () => {
    let s = toReview();
    s = wizardReducer(s, { type: "setMapping", key: "connection:dws_x", value: "dws_prod" });
    expect(reviewProblem(s)).toMatch(/2 missing references/);
    s = wizardReducer(s, { type: "setMapping", key: "script:load_sql", value: LEAVE_UNRESOLVED });
    expect(reviewProblem(s)).toBe("Select a replacement for dli queue q1, or leave it unresolved.");
    s = wizardReducer(s, { type: "setMapping", key: "dli_queue:q1", value: LEAVE_UNRESOLVED });
    expect(canGoNext(s)).toBe(true);
    expect(applyRequest(s).mapping).toEqual([
      { kind: "connection", name: "dws_x", replace: "dws_prod" },
      { kind: "script", name: "load_sql", unresolved: true },
      { kind: "dli_queue", name: "q1", unresolved: true },
    ]);
  });

  it("a missing data connection cannot be left unresolved: Next stays off and nothing is sent for it", () => {
    let s = toReview();
    s = wizardReducer(s, { type: "setMapping", key: "connection:dws_x", value: LEAVE_UNRESOLVED });
    s = wizardReducer(s, { type: "setMapping", key: "script:load_sql", value: LEAVE_UNRESOLVED });
    s = wizardReducer(s, { type: "setMapping", key: "dli_queue:q1", value: "default" });
    expect(unresolved(s).map((m) => m.ref.name)).toEqual(["dws_x"]);
    expect(canGoNext(s)).toBe(false);
    expect(reviewProblem(s)).toBe("Select a replacement for dws data connection dws_x.");
    expect(applyRequest(s).mapping?.some((m) => m.name === "dws_x")).toBe(false);
  });

  it("changing the choice back to a replacement sends the replacement", () => {
    let s = toReview();
    s = wizardReducer(s, { type: "setMapping", key: "dli_queue:q1", value: LEAVE_UNRESOLVED });
    s = wizardReducer(s, { type: "setMapping", key: "dli_queue:q1", value: "default" });
    expect(applyRequest(s).mapping).toEqual([{ kind: "dli_queue", name: "q1", replace: "default" }]);
  });

  it("keeps the inspection's warnings for the list above Next", () => {
    expect(toReview().inspection?.warnings).toEqual(["Job trips: node odd: unknown type Mystery, its references are not checked."]);
    const bare = wizardReducer(
      { ...initialWizard(), step: "inspecting", taskId: "t1" },
      { type: "task", task: task({ status: "WAITING", step: "inspected", inspection: { ...inspection, warnings: undefined } }) },
    );
    expect(bare.inspection?.warnings).toEqual([]);
  });

  it("offers a missing script only the scripts of a type its nodes run", () => {
    const [, script, queue] = missingItems(toReview().inspection);
    const types = new Map([
      ["dws_a", "DWSSQL"],
      ["hive_b", "HiveSQL"],
      ["dws_c", "dwssql"],
    ]);
    // unknown_d: the page does not know its type (past the first 1000): offered, the server checks it.
    expect(replacementCandidates(script, types)).toEqual(["dws_a", "dws_c", "unknown_d"]);
    expect(replacementCandidates(script, undefined)).toEqual(["dws_a", "hive_b", "dws_c", "unknown_d"]);
    expect(replacementCandidates(queue, types)).toEqual(["default"]);
    expect(scriptTypeFits("Spark Python", ["SparkPython"])).toBe(true);
    expect(scriptTypeFits("Shell", [])).toBe(true);
    expect(scriptTypeFits("Shell", ["PYTHON", "Python"])).toBe(false);
  });
});

describe("step 3: the nodes left unresolved", () => {
  it("lists them per job, in name order, with what is missing", () => {
    const report: ImportReport = {
      created: [],
      overwritten: [],
      skipped: [],
      renamed: [],
      failed: [],
      unresolved: [
        { job: "trips", node: "load", kind: "script", name: "load_sql", property: "scriptName" },
        { job: "daily", node: null, kind: "dis_stream", name: "s1", property: "schedule.event.channel" },
        { job: "trips", node: "dli", kind: "dli_queue", name: "q1", property: "queueName" },
      ],
    };
    const groups = unresolvedByJob(report);
    expect(groups.map((g) => g.job)).toEqual(["daily", "trips"]);
    expect(groups[1].items.map(unresolvedText)).toEqual([
      "node dli: DLI queue q1 does not exist in this workspace",
      "node load: script load_sql does not exist in this workspace",
    ]);
    expect(unresolvedText(groups[0].items[0])).toBe("schedule: DIS stream s1 does not exist in this workspace");
    expect(unresolvedByJob({ ...report, unresolved: undefined })).toEqual([]);
  });
});

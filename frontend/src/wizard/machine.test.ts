import { describe, expect, it } from "vitest";
import type { ImportProfileChoices } from "../api/profiles";
import type { ImportTask, Inspection, LiveObject, LiveProgress, ReportRow, SubTask } from "../api/types";
import {
  applyBody,
  applyProgressView,
  applyRequest,
  blockedObjects,
  canGoNext,
  CREATE_FROM_PACKAGE,
  effectivePolicy,
  initialWizard,
  isObsZipPath,
  isPolling,
  previewIsCurrent,
  reportCounts,
  reviewProblem,
  sourceProblem,
  STEP_TITLES,
  unchangedCount,
  unchangedRows,
  unresolved,
  wizardReducer,
  type WizardEvent,
  type WizardState,
} from "./machine";

const run = (events: WizardEvent[], start: WizardState = initialWizard()) => events.reduce(wizardReducer, start);

const use = (name: string) => [{ type: "job", name, node: "n1", property: "connectionName" }];

const inspection: Inspection = {
  jobs: [
    {
      name: "doc1",
      directory: "/docs",
      params: [
        { name: "day", value: "1", type: "variable", masked: false },
        { name: "token", value: "", type: "variable", masked: true },
      ],
      exists: true,
      lockHolder: "bob",
      blockedReason: null,
      scheduled: false,
    },
    { name: "doc2", directory: "/docs", params: [], exists: true, lockHolder: "carol", blockedReason: "job doc2 is locked by carol", scheduled: false },
    { name: "fresh", directory: "/", exists: false },
  ],
  scripts: [{ name: "load_sql", exists: false }],
  resources: [],
  missing: [
    {
      kind: "connection",
      connectionType: "DWS",
      label: "DWS data connection",
      required: true,
      candidates: ["dws_prod", "dws_test"],
      references: [{ name: "doctest", usedBy: use("doc1"), canCreate: true, secretFields: ["password"] }],
    },
    { kind: "dli_queue", connectionType: null, label: "DLI queue", required: true, candidates: ["default"], references: [{ name: "q1", usedBy: use("doc2"), canCreate: false }] },
    { kind: "environment_variable", connectionType: null, label: "Environment variable", required: false, candidates: [], references: [{ name: "ENV_X", usedBy: use("doc1"), canCreate: false }] },
  ],
  connections: [{ name: "doctest", type: "DWS", secretFields: ["password"], exists: false, canCreate: true }],
};

const task = (over: Partial<ImportTask>): ImportTask => ({ id: "t1", status: "RUNNING", progress: 0, message: "", ...over }) as ImportTask;

const toReview = () =>
  run([
    { type: "setObsPath", path: "obs://bucket/exports/DLF_doc1.zip" },
    { type: "starting" },
    { type: "started", task: task({ status: "PENDING" }) },
    { type: "task", task: task({ progress: 40, message: "Reading the package" }) },
    { type: "task", task: task({ status: "WAITING", step: "inspected", progress: 100, inspection }) },
  ]);

describe("step 1: the source", () => {
  it("needs an OBS .zip path or a local .zip file", () => {
    const s = initialWizard();
    expect(s.policy).toBe("overwrite"); // DataArts' default radio
    expect(canGoNext(s)).toBe(false);
    expect(sourceProblem(run([{ type: "setObsPath", path: "obs://bucket/a.txt" }]))).toMatch(/obs:\/\/bucket/);
    expect(canGoNext(run([{ type: "setObsPath", path: "obs://bucket/dir/DLF_doc1.zip" }]))).toBe(true);
    const local = run([{ type: "setLocation", location: "local" }]);
    expect(canGoNext(local)).toBe(false);
    expect(canGoNext(run([{ type: "setFile", file: { name: "jobs.zip", size: 1000 } }], local))).toBe(true);
    // The limit is the server's (PACKAGE_MAX_PACKED_BYTES, 512 MiB by default), not a number of the browser's.
    const limited = run([{ type: "setLocation", location: "local" }], initialWizard("job", 512 * 1024 * 1024));
    expect(sourceProblem(run([{ type: "setFile", file: { name: "jobs.zip", size: 300 * 1024 * 1024 } }], limited))).toBeNull();
    expect(sourceProblem(run([{ type: "setFile", file: { name: "jobs.zip", size: 600 * 1024 * 1024 } }], limited))).toBe(
      "The file is 600 MiB; this server accepts packages of at most 512 MiB.",
    );
    expect(sourceProblem(run([{ type: "setFile", file: { name: "jobs.tar", size: 1 } }], local))).toMatch(/zip/);
  });

  it("switches to the local file when OBS is unavailable and refuses to switch back", () => {
    const s = run([{ type: "obsStatus", available: false, reason: "OBS is not configured." }, { type: "setLocation", location: "obs" }]);
    expect(s.location).toBe("local");
    expect(s.obs?.reason).toBe("OBS is not configured.");
  });

  it("checks OBS paths", () => {
    expect(isObsZipPath("obs://my-bucket/x/y.zip")).toBe(true);
    expect(isObsZipPath("obs://my-bucket/")).toBe(false);
    expect(isObsZipPath("s3://my-bucket/a.zip")).toBe(false);
  });

  it("keeps the step and shows the server's words when starting fails", () => {
    const s = run([{ type: "setObsPath", path: "obs://b1/a.zip" }, { type: "starting" }, { type: "error", message: "Another import is running: jobs.zip by alice." }]);
    expect(s.step).toBe("source");
    expect(s.busy).toBe(false);
    expect(s.error).toMatch(/Another import/);
    expect(canGoNext(s)).toBe(true);
  });

  it("does not allow a second Next while the first is on its way", () => {
    const s = run([{ type: "setObsPath", path: "obs://b1/a.zip" }, { type: "starting" }]);
    expect(canGoNext(s)).toBe(false);
  });
});

describe("step 2: inspect and review", () => {
  it("polls while inspecting and shows the contents once inspected", () => {
    const inspecting = run([{ type: "setObsPath", path: "obs://b1/a.zip" }, { type: "started", task: task({ status: "PENDING" }) }]);
    expect(inspecting.step).toBe("inspecting");
    expect(isPolling(inspecting)).toBe(true);
    const s = toReview();
    expect(s.step).toBe("review");
    expect(isPolling(s)).toBe(false);
    expect(s.jobParams).toEqual({ doc1: { day: "1", token: "" } }); // masked values come empty
  });

  it("a failed inspection ends in the failed step with the reason", () => {
    const s = run([{ type: "setObsPath", path: "obs://b1/a.zip" }, { type: "started", task: task({}) }, { type: "task", task: task({ status: "FAILED", message: "Not a DataArts package." }) }]);
    expect(s.step).toBe("failed");
    expect(s.error).toBe("Not a DataArts package.");
  });

  it("a refused package says where", () => {
    const s = run([
      { type: "setObsPath", path: "obs://b1/a.zip" },
      { type: "started", task: task({}) },
      { type: "task", task: task({ status: "FAILED", message: "Refused.", error: { message: "Invalid JSON", entry: "jobs/a.job", line: 3, column: 7 } }) },
    ]);
    expect(s.error).toBe("Invalid JSON (jobs/a.job, line 3, column 7)");
  });

  it("Next stays disabled until every missing reference is mapped", () => {
    let s = toReview();
    // The environment variable is not required: it may stay unmapped.
    expect(unresolved(s).map((m) => m.ref.name)).toEqual(["doctest", "q1"]);
    expect(canGoNext(s)).toBe(false);
    expect(reviewProblem(s)).toMatch(/2 missing references/);
    s = wizardReducer(s, { type: "setMapping", key: "connection:doctest", value: "dws_prod" });
    expect(reviewProblem(s)).toBe("Select a replacement for dli queue q1.");
    s = wizardReducer(s, { type: "setMapping", key: "dli_queue:q1", value: "default" });
    expect(canGoNext(s)).toBe(true);
  });

  it("creating a connection from the package needs its password", () => {
    let s = toReview();
    s = run([{ type: "setMapping", key: "connection:doctest", value: CREATE_FROM_PACKAGE }, { type: "setMapping", key: "dli_queue:q1", value: "default" }], s);
    expect(canGoNext(s)).toBe(false);
    expect(reviewProblem(s)).toMatch(/password of connection doctest/);
    s = wizardReducer(s, { type: "setSecret", connection: "doctest", field: "password", value: "s3cret" });
    expect(canGoNext(s)).toBe(true);
    const body = applyRequest(s);
    expect(body.createConnections).toEqual([{ name: "doctest", secrets: { password: "s3cret" } }]);
    expect(body.mapping).toEqual([{ kind: "dli_queue", name: "q1", replace: "default" }]);
  });

  it("per-object overrides change the policy of one object and can unblock it", () => {
    let s = toReview();
    expect(blockedObjects(s).map((b) => b.object.name)).toEqual(["doc2"]);
    s = wizardReducer(s, { type: "setOverride", key: "job:doc2", policy: "skip" });
    expect(effectivePolicy(s, "job", "doc2")).toBe("skip");
    expect(effectivePolicy(s, "job", "doc1")).toBe("overwrite");
    expect(blockedObjects(s)).toEqual([]);
    s = wizardReducer(s, { type: "setOverride", key: "job:doc2", policy: null });
    expect(s.overrides).toEqual({});
  });

  it("public parameters need unique names", () => {
    let s = run([{ type: "setMapping", key: "connection:doctest", value: "dws_prod" }, { type: "setMapping", key: "dli_queue:q1", value: "default" }], toReview());
    s = run([{ type: "addPublicParam" }, { type: "setPublicParam", index: 0, row: { name: "env", value: "prod" } }, { type: "addPublicParam" }, { type: "setPublicParam", index: 1, row: { name: "env", value: "x" } }], s);
    expect(reviewProblem(s)).toMatch(/unique/);
    s = wizardReducer(s, { type: "setPublicParam", index: 1, row: null });
    expect(reviewProblem(s)).toBeNull();
    expect(applyRequest(s).publicParams).toEqual({ env: "prod" });
  });

  it("builds the whole apply request", () => {
    const s = run(
      [
        { type: "setMapping", key: "connection:doctest", value: "dws_test" },
        { type: "setMapping", key: "dli_queue:q1", value: "default" },
        { type: "setOverride", key: "job:doc1", policy: "rename" },
        { type: "setJobParam", job: "doc1", name: "day", value: "2" },
        { type: "setTargetStatus", status: "saved" },
        { type: "setContinueOnError", value: false },
        { type: "setTargetDirectory", directory: " /imported " },
      ],
      toReview(),
    );
    expect(applyRequest(s)).toEqual({
      policy: "overwrite",
      overrides: { "job:doc1": "rename" },
      mapping: [
        { kind: "connection", name: "doctest", replace: "dws_test" },
        { kind: "dli_queue", name: "q1", replace: "default" },
      ],
      createConnections: [],
      publicParams: {},
      jobParams: { doc1: { day: "2", token: "" } },
      targetStatus: "saved",
      continueOnError: false,
      keepSchedules: false,
      targetDirectory: "/imported",
      directoryMode: "prefix",
      rewriteRules: [],
      variables: [],
      lockPolicy: "take",
      releaseLocks: false,
      expressionTimeZone: "",
      profileId: null,
    });
    expect(applyRequest(run([{ type: "setKeepSchedules", value: true }], s)).keepSchedules).toBe(true);
  });
});

describe("a profile picked at step 1", () => {
  const profile = { id: 5, name: "to_prod", workspaceName: "dev" };
  const choices: ImportProfileChoices = {
    profile: { id: 5, name: "to_prod", description: "", workspaceId: 2, workspaceName: "dev", duplicatePolicy: "skip" },
    policy: "skip",
    mapping: [
      { kind: "connection", name: "doctest", replace: "dws_prod" },
      { kind: "connection", name: "shared_conn", replace: "prod_conn" },
    ],
    publicParams: { region: "prod" },
    jobParams: { doc1: { day: "7" } },
    targetStatus: "saved",
    keepSchedules: true,
    rewriteRules: [{ find: "dev_dw", replace: "prod_dw", regex: false, wholeWord: true }],
    variables: [{ name: "DB_HOST", value: "prod-db", masked: false }],
    lockPolicy: "skip_locked",
    releaseLocks: true,
    expressionTimeZone: "Europe/Paris",
    skipUnchanged: true,
    masked: [
      { kind: "jobParam", job: "doc1", name: "token" },
      { kind: "variable", name: "DB_PASSWORD", job: null },
    ],
  };

  it("waits for the inspection, then fills every choice of step 2 with the profile's, editable", () => {
    const picked = run([{ type: "setProfile", profile, policy: "skip" }]);
    expect(picked.policy).toBe("skip");
    const waiting = run(
      [
        { type: "setObsPath", path: "obs://bucket/exports/DLF_doc1.zip" },
        { type: "starting" },
        { type: "started", task: task({ status: "PENDING" }) },
        { type: "task", task: task({ status: "WAITING", step: "inspected", progress: 100, inspection }) },
      ],
      picked,
    );
    expect(waiting.step).toBe("review");
    expect(reviewProblem(waiting)).toBe("Filling in the choices of profile to_prod…");
    const s = run([{ type: "profileChoices", choices }, { type: "setMapping", key: "dli_queue:q1", value: "default" }], waiting);
    expect(s.profileApplied).toBe(true);
    expect(reviewProblem(s)).toBeNull();
    const body = applyRequest(s);
    expect(body.policy).toBe("skip");
    expect(body.mapping).toEqual([
      { kind: "connection", name: "doctest", replace: "dws_prod" },
      { kind: "dli_queue", name: "q1", replace: "default" },
      { kind: "connection", name: "shared_conn", replace: "prod_conn" },
    ]);
    expect(body.publicParams).toEqual({ region: "prod" });
    // The masked job parameter is left out, for the server to fill from the profile.
    expect(body.jobParams).toEqual({ doc1: { day: "7" } });
    expect(body.rewriteRules).toEqual([{ find: "dev_dw", replace: "prod_dw", regex: false, wholeWord: true }]);
    expect(body.variables).toEqual([{ name: "DB_HOST", value: "prod-db", masked: false }]);
    expect([body.targetStatus, body.keepSchedules, body.lockPolicy, body.releaseLocks, body.expressionTimeZone, body.profileId]).toEqual([
      "saved",
      true,
      "skip_locked",
      true,
      "Europe/Paris",
      5,
    ]);
    // Editable: a rule changed, a variable removed, the zone cleared.
    const edited = run(
      [
        { type: "setRule", index: 0, row: { find: "dev_dw", replace: "test_dw", regex: false, wholeWord: true } },
        { type: "setVariable", index: 0, row: null },
        { type: "setTimeZone", value: "" },
        { type: "removeExtraMapping", index: 0 },
      ],
      s,
    );
    const after = applyRequest(edited);
    expect(after.rewriteRules?.[0].replace).toBe("test_dw");
    expect(after.variables).toEqual([]);
    expect(after.expressionTimeZone).toBe("");
    expect(after.mapping?.map((m) => m.name)).toEqual(["doctest", "q1"]);
  });

  it("names a rule or variable that is incomplete, and drops a profile whose choices cannot be read", () => {
    const s = run([{ type: "setMapping", key: "connection:doctest", value: "dws_prod" }, { type: "setMapping", key: "dli_queue:q1", value: "default" }], toReview());
    expect(reviewProblem(run([{ type: "addRule" }], s))).toBe("Every rewrite rule needs the text to find.");
    expect(reviewProblem(run([{ type: "addVariable" }], s))).toBe("Every environment variable needs a name.");
    const failed = run([{ type: "setProfile", profile }], initialWizard());
    expect(failed.profile).toEqual(profile);
  });
});

const sub = (order: number, name: string, status: SubTask["status"]): SubTask => ({
  order,
  objectType: "job",
  objectName: name,
  name: `Import the ${name} job.`,
  status,
  outcome: "",
  message: "",
  detail: {},
  startedAt: null,
  endedAt: null,
});
const row = (name: string, outcome: string, message = ""): ReportRow => ({ type: "job", name, outcome, message });

const mapped = () => run([{ type: "setMapping", key: "connection:doctest", value: "dws_prod" }, { type: "setMapping", key: "dli_queue:q1", value: "default" }], toReview());
const summary = { new: 1, changed: 1, unchanged: 1, skipped: 0, failed: 0 };
const previewed = (over: Partial<ImportTask> = {}) => task({ status: "WAITING", step: "previewed", progress: 50, changes: { summary, choices: {} }, ...over });
/** Next at the choices: the preview posted, its task polled until previewed. */
const toChanges = (s: WizardState = mapped()) =>
  run([{ type: "previewing" }, { type: "previewStarted", task: task({ step: "preview" }) }, { type: "task", task: previewed() }], s);

describe("step 3: the changes", () => {
  it("Next at the choices previews them, polls the task, then shows the change-set", () => {
    let s = wizardReducer(mapped(), { type: "previewing" });
    expect([s.step, s.busy, canGoNext(s)]).toEqual(["review", true, false]);
    s = wizardReducer(s, { type: "previewStarted", task: task({ step: "preview", progress: 50, message: "Comparing 3 object(s) with the workspace..." }) });
    expect([s.step, s.busy, s.previews, isPolling(s)]).toEqual(["previewing", false, 1, true]);
    expect(STEP_TITLES.find((t) => t.step.includes(s.step))?.title).toBe("Review Changes");
    // Still comparing; then an earlier preview's summary under a running step is not this one's.
    s = wizardReducer(s, { type: "task", task: task({ step: "preview", progress: 75, changes: { summary: { ...summary, new: 9 } } }) });
    expect([s.step, s.progress, s.changes]).toEqual(["previewing", 75, null]);
    s = wizardReducer(s, { type: "task", task: previewed() });
    expect([s.step, s.changes, isPolling(s), canGoNext(s)]).toEqual(["changes", summary, false, true]);
  });

  it("a preview that could not be made goes back to the choices, saying why", () => {
    const s = run(
      [
        { type: "previewing" },
        { type: "previewStarted", task: task({ step: "preview" }) },
        { type: "task", task: task({ status: "WAITING", step: "inspected", changes: { error: { message: "The changes could not be previewed: connection dws_prod is gone.", code: "not_found" } } }) },
      ],
      mapped(),
    );
    expect([s.step, s.busy, s.changes]).toEqual(["review", false, null]);
    expect(s.error).toBe("The changes could not be previewed: connection dws_prod is gone.");
    expect(canGoNext(s)).toBe(true);
    const refused = run([{ type: "previewing" }, { type: "error", message: "The request was not accepted." }], mapped());
    expect([refused.step, refused.busy, refused.error]).toEqual(["review", false, "The request was not accepted."]);
  });

  it("back at the choices and on again without a change shows the same preview", () => {
    let s = wizardReducer(toChanges(), { type: "back" });
    expect(s.step).toBe("review");
    expect(previewIsCurrent(s)).toBe(true);
    s = wizardReducer(s, { type: "showChanges" });
    expect([s.step, s.previews]).toEqual(["changes", 1]);
  });

  it("changing any choice makes the preview stale: Next previews again", () => {
    const back = wizardReducer(toChanges(), { type: "back" });
    const changes: WizardEvent[] = [
      { type: "setMapping", key: "connection:doctest", value: "dws_test" },
      { type: "setSecret", connection: "doctest", field: "password", value: "x" },
      { type: "setOverride", key: "job:doc1", policy: "skip" },
      { type: "addPublicParam" },
      { type: "setJobParam", job: "doc1", name: "day", value: "2" },
      { type: "setTargetStatus", status: "saved" },
      { type: "setTargetDirectory", directory: "/x" },
      { type: "setContinueOnError", value: false },
    ];
    for (const e of changes) {
      const s = wizardReducer(back, e);
      expect([e.type, previewIsCurrent(s)]).toEqual([e.type, false]);
      expect(wizardReducer(s, { type: "showChanges" }).step).toBe("review");
    }
    const again = toChanges(wizardReducer(back, { type: "setTargetStatus", status: "saved" }));
    expect([again.step, again.previews]).toEqual(["changes", 2]);
    expect(applyBody(again).targetStatus).toBe("saved");
  });

  it("skips the unchanged objects unless told otherwise; that changes the apply, not the preview", () => {
    let s = toChanges();
    expect(applyBody(s)).toEqual({ ...applyRequest(s), skipUnchanged: true });
    s = wizardReducer(s, { type: "setSkipUnchanged", value: false });
    expect(applyBody(s).skipUnchanged).toBe(false);
    expect(previewIsCurrent(s)).toBe(true);
  });

  it("Import applies from the change-set only, and Back is refused while it is on its way", () => {
    expect(wizardReducer(mapped(), { type: "applying" }).busy).toBe(false);
    const s = wizardReducer(toChanges(), { type: "applying" });
    expect([s.busy, canGoNext(s)]).toEqual([true, false]);
    expect(wizardReducer(s, { type: "back" }).step).toBe("changes");
    expect(wizardReducer(s, { type: "applyStarted", task: null }).step).toBe("applying");
  });
});

describe("step 3: apply and report", () => {
  const ready = () => toChanges();

  it("shows per-object progress, then the report", () => {
    let s = run([{ type: "applying" }, { type: "applyStarted", task: null }], ready());
    expect(s.step).toBe("applying");
    expect(isPolling(s)).toBe(true);
    s = wizardReducer(s, {
      type: "task",
      task: task({ status: "RUNNING", progress: 50, subtasks: [sub(1, "doc1", "SUCCESSFUL"), sub(2, "doc2", "RUNNING")] }),
    });
    expect(s.subtasks).toHaveLength(2);
    expect(s.progress).toBe(50);
    s = wizardReducer(s, {
      type: "task",
      task: task({ status: "SUCCESSFUL", progress: 100, report: { created: [row("fresh", "created")], overwritten: [row("doc1", "overwritten")], skipped: [], renamed: [], failed: [row("doc2", "failed", "job doc2 is locked by carol")] } }),
    });
    expect(s.step).toBe("report");
    expect(s.report?.failed[0].message).toMatch(/carol/);
    expect(reportCounts(s.report!)).toEqual({ created: 1, overwritten: 1, skipped: 0, renamed: 0, failed: 1 });
  });

  it("reports the objects left unchanged", () => {
    const same = row("doc1", "unchanged");
    const listed = { created: [], overwritten: [], skipped: [], renamed: [], failed: [], unchanged: [same], summary: { unchanged: 1 } };
    expect([unchangedRows(listed), unchangedCount(listed)]).toEqual([[same], 1]);
    const objects = { created: [], overwritten: [], skipped: [], renamed: [], failed: [], objects: [row("fresh", "created"), same] };
    expect([unchangedRows(objects), unchangedCount(objects)]).toEqual([[same], 1]);
    const s = wizardReducer(run([{ type: "applying" }, { type: "applyStarted", task: null }], ready()), {
      type: "task",
      task: task({ live: live(1, 2, [obj(1, "job", "doc1", "SUCCESSFUL", "unchanged")]) }),
    });
    expect(applyProgressView(s).rows[0]).toMatchObject({ name: "doc1", icon: "=", statusText: "unchanged" });
  });

  it("a failed apply without a report shows the reason", () => {
    const s = run([{ type: "applyStarted", task: null }, { type: "task", task: task({ status: "FAILED", message: "Worker lost." }) }], ready());
    expect(s.step).toBe("failed");
    expect(s.error).toBe("Worker lost.");
  });

  it("a failed apply with a report still shows the report", () => {
    const s = run(
      [{ type: "applyStarted", task: null }, { type: "task", task: task({ status: "FAILED", report: { created: [], overwritten: [], skipped: [], renamed: [], failed: [row("doc2", "failed", "x")], summary: { failed: 1 } } }) }],
      ready(),
    );
    expect(s.step).toBe("report");
  });

  it("reset starts over and remembers OBS availability", () => {
    const s = run([{ type: "obsStatus", available: false, reason: "no" }, { type: "reset" }], ready());
    expect(s.step).toBe("source");
    expect(s.location).toBe("local");
    expect(s.inspection).toBeNull();
  });

  it("ignores task updates for steps that do not poll", () => {
    const s = initialWizard();
    expect(wizardReducer(s, { type: "task", task: task({ status: "SUCCESSFUL" }) })).toBe(s);
  });
});

const obj = (order: number, type: string, name: string, status: LiveObject["status"], outcome = "", message = ""): LiveObject => ({
  order,
  type,
  name,
  status,
  outcome,
  message,
});
const live = (done: number, total: number, objects: LiveObject[], failed = 0): LiveProgress => ({
  step: "apply",
  done,
  total,
  failed,
  objects,
  updatedAt: "2026-01-01T00:00:00Z",
});

describe("step 3: the objects fill in while the worker applies", () => {
  const applying = () => run([{ type: "applying" }, { type: "applyStarted", task: null }], toChanges());

  it("lists every object of the package as waiting before the worker reports", () => {
    const view = applyProgressView(applying());
    expect(view.percent).toBe(0);
    expect(view.summary).toBe("Preparing the import…");
    // Resources, scripts, then jobs: the order the apply writes them in.
    expect(view.rows.map((r) => [r.name, r.status, r.icon])).toEqual([
      ["load_sql", "PENDING", "○"],
      ["doc1", "PENDING", "○"],
      ["doc2", "PENDING", "○"],
      ["fresh", "PENDING", "○"],
    ]);
  });

  it("shows the objects done, the one being written and those waiting, with the bar", () => {
    const s = wizardReducer(applying(), {
      type: "task",
      task: task({
        status: "RUNNING",
        progress: 62,
        message: "Importing 4 object(s)...",
        live: live(2, 4, [obj(1, "script", "load_sql", "SUCCESSFUL", "created"), obj(2, "job", "doc1", "SUCCESSFUL", "overwritten"), obj(3, "job", "doc2", "RUNNING")]),
      }),
    });
    const view = applyProgressView(s);
    expect(view.percent).toBe(50);
    expect(view.summary).toBe("2 of 4 objects imported");
    expect(view.rows.map((r) => [r.name, r.status, r.icon, r.statusText])).toEqual([
      ["load_sql", "SUCCESSFUL", "✓", "created"],
      ["doc1", "SUCCESSFUL", "✓", "overwritten"],
      ["doc2", "RUNNING", "⋯", "importing"],
      ["fresh", "PENDING", "○", "waiting"],
    ]);
  });

  it("accumulates objects across polls (each poll lists only the latest) and shows failures", () => {
    let s = wizardReducer(applying(), {
      type: "task",
      task: task({ live: live(1, 5, [obj(1, "connection", "doctest", "SUCCESSFUL", "created"), obj(2, "script", "load_sql", "RUNNING")]) }),
    });
    s = wizardReducer(s, {
      type: "task",
      task: task({
        live: live(4, 5, [obj(2, "script", "load_sql", "SUCCESSFUL", "created"), obj(3, "job", "doc1", "SUCCESSFUL", "skipped"), obj(4, "job", "doc2", "FAILED", "failed", "locked by carol")], 1),
      }),
    });
    // A late answer of an earlier poll does not undo what is known.
    s = wizardReducer(s, { type: "task", task: task({ live: live(1, 5, [obj(2, "script", "load_sql", "RUNNING")]) }) });
    const view = applyProgressView(s);
    expect(view.rows.map((r) => [r.type, r.name, r.icon])).toEqual([
      ["connection", "doctest", "✓"],
      ["script", "load_sql", "✓"],
      ["job", "doc1", "–"],
      ["job", "doc2", "✗"],
      ["job", "fresh", "○"],
    ]);
    expect(view.rows[3].message).toBe("locked by carol");
    expect(view.percent).toBe(20); // the counts of the latest answer
  });

  it("shows a window around where the import is when there are many objects", () => {
    const many: Inspection = { ...inspection, scripts: [], jobs: Array.from({ length: 1000 }, (_, i) => ({ name: `j${i}`, exists: false })) };
    let s: WizardState = { ...applying(), inspection: many };
    s = wizardReducer(s, {
      type: "task",
      task: task({ live: live(600, 1000, Array.from({ length: 600 }, (_, i) => obj(i + 1, "job", `j${i}`, "SUCCESSFUL", "created"))) }),
    });
    const view = applyProgressView(s, 100);
    expect(view.rows).toHaveLength(100);
    expect(view.rows[0].name).toBe("j550");
    expect(view.rows[50]).toMatchObject({ name: "j600", status: "PENDING" });
    expect([view.hiddenBefore, view.hiddenAfter]).toEqual([550, 350]);
    expect(view.percent).toBe(60);
  });

  it("ignores the inspection's progress and starts afresh for a new apply", () => {
    let s = wizardReducer(applying(), { type: "task", task: task({ live: { ...live(1, 2, [obj(1, "job", "doc1", "SUCCESSFUL", "created")]), step: "inspect" } }) });
    expect(s.liveObjects).toEqual({});
    s = wizardReducer(s, { type: "task", task: task({ live: live(1, 2, [obj(1, "job", "doc1", "SUCCESSFUL", "created")]) }) });
    expect(Object.keys(s.liveObjects)).toEqual(["job:doc1"]);
    s = wizardReducer(s, { type: "applyStarted", task: null });
    expect(s.liveObjects).toEqual({});
    expect(s.live).toBeNull();
  });
});

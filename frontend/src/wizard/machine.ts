/**
 * The import wizard as a state machine: where the user is, what they chose, and what may happen next.
 *
 *   source ──start──▶ inspecting ──(task inspected)──▶ review ──preview──▶ previewing ──(task previewed)──▶ changes
 *                         │                                ▲                   │                                │ apply
 *                         │                                └──────back─────────┼────────────────────────────────┤
 *                         │                                                    │                                ▼
 *                         └──────────────(task failed)──▶ failed ◀─────────────┴──────(task failed)──────── applying ──▶ report
 *
 * The preview is computed on the choices of the review step: changing any of them makes it stale, and
 * Next previews again; going back and on without a change shows the same preview.
 *
 * The component renders the state and turns clicks and task polls into events; the rules (what Next
 * needs, what the apply request holds) live here so that Vitest can check them without a DOM.
 */
import type {
  ApplyRequest,
  DuplicatePolicy,
  ImportReport,
  ImportTask,
  InspectedObject,
  Inspection,
  LiveObject,
  LiveProgress,
  MissingGroup,
  MissingReference,
  PackageError,
  ReportRow,
  SubTask,
} from "../api/types";
import type { ImportProfileChoices, ImportProfileMasked } from "../api/profiles";
import { summaryOf, type ChangeSummary } from "./changes";
import { packageSizeProblem } from "./limits";

/** The drop-down value meaning "create the connection defined in the package". */
export const CREATE_FROM_PACKAGE = "__create_from_package__";
/**
 * The mapping value meaning "leave unresolved": DataArts imports the job as it is and fails it when it is
 * scheduled. Only for a group with canLeaveUnresolved (a missing script or cloud object).
 */
export const LEAVE_UNRESOLVED = "__leave_unresolved__";

export type WizardStep = "source" | "inspecting" | "review" | "previewing" | "changes" | "applying" | "report" | "failed";
export type ImportCategory = "job" | "script";

export interface ParamRow {
  name: string;
  value: string;
}

export interface RuleRow {
  find: string;
  replace: string;
  regex: boolean;
  wholeWord: boolean;
}

export interface VariableRow {
  name: string;
  value: string;
  masked: boolean;
}

/** The environment profile the wizard starts from: one that promotes to this workspace (step 1). */
export interface WizardProfile {
  id: number;
  name: string;
  workspaceName: string;
}

export interface WizardState {
  step: WizardStep;
  category: ImportCategory;
  location: "obs" | "local";
  obs: { available: boolean; reason: string } | null;
  obsPath: string;
  file: { name: string; size: number } | null;
  policy: DuplicatePolicy;
  busy: boolean;
  taskId: string | null;
  progress: number;
  message: string;
  inspection: Inspection | null;
  /** `${kind}:${name}` of a missing reference → the replacement's name, CREATE_FROM_PACKAGE or LEAVE_UNRESOLVED. */
  mapping: Record<string, string>;
  /** Connection name → its secrets (password, ...) typed in for a connection created from the package. */
  passwords: Record<string, Record<string, string>>;
  /** `${type}:${name}` → this object's own duplicate-name policy. */
  overrides: Record<string, DuplicatePolicy>;
  publicParams: ParamRow[];
  jobParams: Record<string, Record<string, string>>;
  targetStatus: "submitted" | "saved";
  /** The server's largest package (PACKAGE_MAX_PACKED_BYTES), or null when unknown (the server checks). */
  maxBytes: number | null;
  targetDirectory: string;
  continueOnError: boolean;
  /** Overwrite scheduled jobs all the same (stopped, updated and started again), instead of failing them. */
  keepSchedules: boolean;
  /** The profile picked at step 1 (its choices fill step 2 once the package is inspected), or null. */
  profile: WizardProfile | null;
  /** Whether the profile's choices have been filled in. */
  profileApplied: boolean;
  /** The profile's masked values: never sent to the browser, the server uses them (the body names the profile). */
  profileMasked: ImportProfileMasked[];
  /** Replacements of references this workspace has (not missing here): from the profile, sent as they are. */
  extraMapping: { kind: string; name: string; replace: string }[];
  /** Text rewrites over scripts' content and jobs' node properties (e.g. dev_dw to prod_dw). */
  rewriteRules: RuleRow[];
  /** Environment variables of this workspace to set (created when missing) in the import's transaction. */
  variables: VariableRow[];
  /** take: take the lock of an object locked by another user; skip_locked: leave it untouched. */
  lockPolicy: "take" | "skip_locked";
  releaseLocks: boolean;
  /** Every job's cron schedule gets this expressionTimeZone; "" keeps each job's. */
  expressionTimeZone: string;
  subtasks: SubTask[];
  /** While the import applies: the counts its worker published last (null before the first). */
  live: Pick<LiveProgress, "done" | "total" | "failed"> | null;
  /** Every object the worker reported so far, by `${type}:${name}` (polls carry only the latest ones). */
  liveObjects: Record<string, LiveObject>;
  /** The change-set of the choices as they are: null until previewed, and again once a choice changes. */
  changes: ChangeSummary | null;
  /** Previews started so far: each one's task polls and change rows are its own. */
  previews: number;
  /** Leave the objects the preview found unchanged as they are (sent as skipUnchanged with the apply). */
  skipUnchanged: boolean;
  report: ImportReport | null;
  /** A problem to show at the current step (the step itself stays). */
  error: string | null;
}

export type WizardEvent =
  | { type: "obsStatus"; available: boolean; reason: string }
  | { type: "setLocation"; location: "obs" | "local" }
  | { type: "setObsPath"; path: string }
  | { type: "setFile"; file: { name: string; size: number } | null }
  | { type: "setPolicy"; policy: DuplicatePolicy }
  | { type: "starting" }
  | { type: "started"; task: ImportTask }
  | { type: "task"; task: ImportTask }
  | { type: "error"; message: string }
  | { type: "setMapping"; key: string; value: string }
  | { type: "setSecret"; connection: string; field: string; value: string }
  | { type: "setOverride"; key: string; policy: DuplicatePolicy | null }
  | { type: "setPublicParam"; index: number; row: ParamRow | null }
  | { type: "addPublicParam" }
  | { type: "setJobParam"; job: string; name: string; value: string }
  | { type: "setTargetStatus"; status: "submitted" | "saved" }
  | { type: "setTargetDirectory"; directory: string }
  | { type: "setContinueOnError"; value: boolean }
  | { type: "setKeepSchedules"; value: boolean }
  | { type: "setProfile"; profile: WizardProfile | null; policy?: DuplicatePolicy }
  | { type: "profileChoices"; choices: ImportProfileChoices }
  | { type: "profileFailed"; message: string }
  | { type: "setRule"; index: number; row: RuleRow | null }
  | { type: "addRule" }
  | { type: "setVariable"; index: number; row: VariableRow | null }
  | { type: "addVariable" }
  | { type: "removeExtraMapping"; index: number }
  | { type: "setLockPolicy"; value: "take" | "skip_locked" }
  | { type: "setReleaseLocks"; value: boolean }
  | { type: "setTimeZone"; value: string }
  | { type: "previewing" }
  | { type: "previewStarted"; task: ImportTask }
  | { type: "showChanges" }
  | { type: "back" }
  | { type: "setSkipUnchanged"; value: boolean }
  | { type: "applying" }
  | { type: "applyStarted"; task: ImportTask | null }
  | { type: "reset" };

export function initialWizard(category: ImportCategory = "job", maxBytes: number | null = null): WizardState {
  return {
    step: "source",
    category,
    location: "obs",
    obs: null,
    obsPath: "",
    file: null,
    policy: "overwrite",
    busy: false,
    taskId: null,
    progress: 0,
    message: "",
    inspection: null,
    mapping: {},
    passwords: {},
    overrides: {},
    publicParams: [],
    jobParams: {},
    targetStatus: "submitted",
    maxBytes,
    targetDirectory: "",
    continueOnError: true,
    keepSchedules: false,
    profile: null,
    profileApplied: false,
    profileMasked: [],
    extraMapping: [],
    rewriteRules: [],
    variables: [],
    lockPolicy: "take",
    releaseLocks: false,
    expressionTimeZone: "",
    subtasks: [],
    live: null,
    liveObjects: {},
    changes: null,
    previews: 0,
    skipUnchanged: true,
    report: null,
    error: null,
  };
}

export const missingKey = (kind: string, name: string) => `${kind}:${name}`;

/** One missing reference with its group (kind, connection type, candidates). */
export interface MissingItem {
  key: string;
  group: MissingGroup;
  ref: MissingReference;
}

export function missingItems(inspection: Inspection | null): MissingItem[] {
  const out: MissingItem[] = [];
  for (const group of inspection?.missing ?? []) {
    for (const ref of group.references ?? []) out.push({ key: missingKey(group.kind, ref.name), group, ref });
  }
  return out;
}
export const objectKey = (type: string, name: string) => `${type}:${name}`;

const OBS_ZIP = /^obs:\/\/[a-z0-9][a-z0-9.-]{1,62}\/.+\.zip$/i;

export function isObsZipPath(path: string): boolean {
  return OBS_ZIP.test(path.trim());
}

/** Why the first step cannot go on yet, or null when Next may be pressed. */
export function sourceProblem(s: WizardState): string | null {
  if (s.location === "obs") {
    if (s.obs && !s.obs.available) return s.obs.reason || "OBS is not available.";
    if (!s.obsPath.trim()) return "Select a .zip file from OBS.";
    if (!isObsZipPath(s.obsPath)) return "The OBS path must look like obs://bucket/path/file.zip.";
    return null;
  }
  if (!s.file) return "Select a .zip file on your computer.";
  if (!s.file.name.toLowerCase().endsWith(".zip")) return "Only .zip packages can be imported.";
  return packageSizeProblem(s.file.size, s.maxBytes);
}

/** The secrets to type in for a connection created from the package (at least its password). */
export function secretFieldsOf(item: MissingItem): string[] {
  return item.ref.secretFields?.length ? item.ref.secretFields : ["password"];
}

/**
 * The missing references the user has not resolved yet: a required one without a replacement, or one to
 * create from the package whose secrets are not all typed in.
 */
export function unresolved(s: WizardState): MissingItem[] {
  return missingItems(s.inspection).filter((item) => {
    const v = s.mapping[item.key];
    if (v === LEAVE_UNRESOLVED) return !item.group.canLeaveUnresolved;
    if (v === CREATE_FROM_PACKAGE) {
      if (!item.ref.canCreate) return true;
      return secretFieldsOf(item).some((f) => !(s.passwords[item.ref.name]?.[f] ?? "").length);
    }
    return !v && item.group.required;
  });
}

/** Why the review step cannot go on yet, or null. */
export function reviewProblem(s: WizardState): string | null {
  if (s.profile && !s.profileApplied) return `Filling in the choices of profile ${s.profile.name}…`;
  const open = unresolved(s);
  if (open.length === 1) {
    const { group, ref } = open[0];
    return s.mapping[open[0].key] === CREATE_FROM_PACKAGE
      ? `Type in the ${secretFieldsOf(open[0]).join(" and ")} of connection ${ref.name}.`
      : group.canLeaveUnresolved
        ? `Select a replacement for ${group.label.toLowerCase()} ${ref.name}, or leave it unresolved.`
        : `Select a replacement for ${group.label.toLowerCase()} ${ref.name}.`;
  }
  if (open.length > 1) return `Select replacements for the ${open.length} missing references.`;
  const names = s.publicParams.map((p) => p.name.trim()).filter(Boolean);
  if (new Set(names).size !== names.length) return "Public parameter names must be unique.";
  if (s.publicParams.some((p) => !p.name.trim() && p.value.trim())) return "Every public parameter needs a name.";
  if (s.rewriteRules.some((r) => !r.find)) return "Every rewrite rule needs the text to find.";
  const variables = s.variables.map((v) => v.name.trim());
  if (variables.some((v) => !v)) return "Every environment variable needs a name.";
  if (new Set(variables).size !== variables.length) return "Environment variable names must be unique.";
  return null;
}

export function canGoNext(s: WizardState): boolean {
  if (s.busy) return false;
  if (s.step === "source") return sourceProblem(s) === null;
  if (s.step === "review") return reviewProblem(s) === null;
  if (s.step === "changes") return s.changes !== null;
  return false;
}

/** Whether the preview shown still matches the choices (Next then shows it again without asking). */
export const previewIsCurrent = (s: WizardState) => s.changes !== null;

/** The policy that will apply to one object: its override, else the wizard's policy. */
export function effectivePolicy(s: WizardState, type: string, name: string): DuplicatePolicy {
  return s.overrides[objectKey(type, name)] ?? s.policy;
}

/** Objects that exist already and will fail whatever the policy (locked by someone else, running...). */
export function blockedObjects(s: WizardState): { type: string; object: InspectedObject }[] {
  if (!s.inspection) return [];
  const out: { type: string; object: InspectedObject }[] = [];
  for (const [type, list] of [
    ["job", s.inspection.jobs],
    ["script", s.inspection.scripts],
    ["resource", s.inspection.resources],
  ] as const) {
    for (const o of list ?? []) if (o.blockedReason && effectivePolicy(s, type, o.name) !== "skip") out.push({ type, object: o });
  }
  return out;
}

/** What the user chose at the review step: what the preview computes the changes on. */
export type ImportChoices = Omit<ApplyRequest, "skipUnchanged">;

/** The choices, as `POST imports/<id>/preview/` and the apply take them (applyBody adds skipUnchanged). */
export function applyRequest(s: WizardState): ImportChoices {
  const mapping: NonNullable<ImportChoices["mapping"]> = [];
  const createConnections: NonNullable<ImportChoices["createConnections"]> = [];
  for (const item of missingItems(s.inspection)) {
    const v = s.mapping[item.key];
    if (!v) continue;
    if (v === CREATE_FROM_PACKAGE) {
      const secrets: Record<string, string> = {};
      for (const f of secretFieldsOf(item)) secrets[f] = s.passwords[item.ref.name]?.[f] ?? "";
      createConnections.push({ name: item.ref.name, secrets });
    } else if (v === LEAVE_UNRESOLVED) {
      if (item.group.canLeaveUnresolved) mapping.push({ kind: item.group.kind, name: item.ref.name, unresolved: true });
    } else mapping.push({ kind: item.group.kind, name: item.ref.name, replace: v });
  }
  for (const m of s.extraMapping) mapping.push({ ...m });
  const publicParams: Record<string, string> = {};
  for (const p of s.publicParams) if (p.name.trim()) publicParams[p.name.trim()] = p.value;
  return {
    policy: s.policy,
    overrides: { ...s.overrides },
    mapping,
    createConnections,
    publicParams,
    jobParams: s.jobParams,
    targetDirectory: s.targetDirectory.trim() || null,
    directoryMode: "prefix",
    targetStatus: s.targetStatus,
    continueOnError: s.continueOnError,
    keepSchedules: s.keepSchedules,
    rewriteRules: s.rewriteRules.map((r) => ({ ...r })),
    variables: s.variables.map((v) => ({ name: v.name.trim(), value: v.value, masked: v.masked })),
    lockPolicy: s.lockPolicy,
    releaseLocks: s.releaseLocks,
    expressionTimeZone: s.expressionTimeZone.trim(),
    profileId: s.profile?.id ?? null,
  };
}

/**
 * Step 2 filled from the profile's choices for the inspected package: the policy, the replacements (of the
 * missing references; the others are kept apart and sent as they are), the parameters (its masked ones
 * left for the server to fill), rewrite rules, environment variables, status, schedules, locks and time
 * zone. Every one stays editable.
 */
export function withProfileChoices(s: WizardState, c: ImportProfileChoices): WizardState {
  const missing = new Set(missingItems(s.inspection).map((i) => i.key));
  const mapping = { ...s.mapping };
  const extraMapping: WizardState["extraMapping"] = [];
  for (const m of c.mapping) {
    if (!m.replace) continue;
    const key = missingKey(m.kind, m.name);
    if (missing.has(key)) mapping[key] = m.replace;
    else extraMapping.push({ kind: m.kind, name: m.name, replace: m.replace });
  }
  const jobParams: Record<string, Record<string, string>> = {};
  for (const [job, values] of Object.entries(s.jobParams)) jobParams[job] = { ...values, ...(c.jobParams[job] ?? {}) };
  for (const m of c.masked) if (m.kind === "jobParam" && m.job && jobParams[m.job]) delete jobParams[m.job][m.name];
  const masked = new Set(c.masked.filter((m) => m.kind === "publicParam").map((m) => m.name));
  return {
    ...s,
    profileApplied: true,
    profileMasked: c.masked,
    policy: (c.policy as DuplicatePolicy) || s.policy,
    mapping,
    extraMapping,
    publicParams: Object.entries(c.publicParams)
      .filter(([name]) => !masked.has(name))
      .map(([name, value]) => ({ name, value })),
    jobParams,
    targetStatus: c.targetStatus === "saved" ? "saved" : "submitted",
    keepSchedules: c.keepSchedules,
    rewriteRules: c.rewriteRules.map((r) => ({ find: r.find, replace: r.replace, regex: !!r.regex, wholeWord: r.wholeWord ?? true })),
    variables: c.variables.map((v) => ({ name: v.name, value: v.value, masked: v.masked })),
    lockPolicy: c.lockPolicy === "skip_locked" ? "skip_locked" : "take",
    releaseLocks: c.releaseLocks,
    expressionTimeZone: c.expressionTimeZone,
    skipUnchanged: c.skipUnchanged,
  };
}

/** The body of `POST imports/<id>/preview/` and `apply/`: the choices, and whether to skip the unchanged
 * (the preview classifies the same way either way; the apply acts on it). */
export function applyBody(s: WizardState): ApplyRequest {
  return { ...applyRequest(s), skipUnchanged: s.skipUnchanged };
}

function initialJobParams(inspection: Inspection): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const j of inspection.jobs ?? []) {
    if (j.params?.length) out[j.name] = Object.fromEntries(j.params.map((p) => [p.name, p.masked || p.value == null ? "" : String(p.value)]));
  }
  return out;
}

function normaliseInspection(raw: Partial<Inspection>): Inspection {
  return {
    jobs: raw.jobs ?? [],
    scripts: raw.scripts ?? [],
    resources: raw.resources ?? [],
    missing: (raw.missing ?? []).map((g) => ({
      ...g,
      candidates: g.candidates ?? [],
      references: (g.references ?? []).map((r) => ({ ...r, usedBy: r.usedBy ?? [] })),
    })),
    connections: raw.connections ?? [],
    notes: raw.notes ?? [],
    warnings: raw.warnings ?? [],
  };
}

const emptyReport = (): ImportReport => ({ created: [], overwritten: [], skipped: [], renamed: [], failed: [] });

/** A refused package's reason with where it was found ("jobs/a.job, line 3, column 7: ..."). */
export function packageErrorText(error: PackageError | null | undefined, fallback: string): string {
  if (!error) return fallback;
  const where = [error.entry, error.field, error.line != null ? `line ${error.line}` : null, error.column != null ? `column ${error.column}` : null]
    .filter(Boolean)
    .join(", ");
  const message = error.message || fallback;
  return where ? `${message} (${where})` : message;
}

/** The objects of a poll merged into those seen before: a poll lists only the latest ones. */
function mergeLive(seen: Record<string, LiveObject>, objects: LiveObject[]): Record<string, LiveObject> {
  if (!objects.length) return seen;
  const next = { ...seen };
  for (const o of objects) {
    const key = objectKey(o.type, o.name);
    const before = next[key];
    // A later report of the same object wins; a stale poll (lower order, or RUNNING after done) does not.
    if (!before || o.order > before.order || (o.order === before.order && before.status === "RUNNING")) next[key] = o;
  }
  return next;
}

function fromTask(s: WizardState, task: ImportTask): WizardState {
  const live = s.step === "applying" && task.live && task.live.step === "apply" ? task.live : null;
  const base: WizardState = {
    ...s,
    taskId: task.id ?? s.taskId,
    progress: typeof task.progress === "number" ? task.progress : s.progress,
    message: task.message ?? s.message,
    subtasks: task.subtasks ?? s.subtasks,
    live: live ? { done: live.done, total: live.total, failed: live.failed } : s.live,
    liveObjects: live ? mergeLive(s.liveObjects, live.objects ?? []) : s.liveObjects,
  };
  if (s.step === "inspecting") {
    if (task.inspection && (task.step === "inspected" || task.status === "WAITING")) {
      const inspection = normaliseInspection(task.inspection);
      return { ...base, step: "review", busy: false, inspection, jobParams: initialJobParams(inspection), error: null };
    }
    if (task.status === "FAILED")
      return { ...base, step: "failed", busy: false, error: task.error ? packageErrorText(task.error, task.message) : task.message || "The package could not be read." };
    return base;
  }
  if (s.step === "previewing") {
    const changes = task.changes;
    if (task.step === "previewed" && changes?.summary) return { ...base, step: "changes", busy: false, changes: summaryOf(changes.summary), error: null };
    // A preview that could not be made leaves the import waiting for its choices, saying why.
    if (task.status === "WAITING" && task.step === "inspected")
      return { ...base, step: "review", busy: false, error: changes?.error?.message || task.message || "The changes could not be previewed." };
    if (task.status === "FAILED") return { ...base, step: "failed", busy: false, error: task.message || "The changes could not be previewed." };
    return base;
  }
  if (s.step === "applying") {
    if (task.status === "SUCCESSFUL" || task.status === "FAILED") {
      if (task.report) return { ...base, step: "report", busy: false, progress: 100, report: { ...emptyReport(), ...task.report } };
      if (task.status === "FAILED") return { ...base, step: "failed", busy: false, error: task.message || "The import failed." };
    }
    return base;
  }
  return s;
}

/** The events that change a choice of the review step: each makes the preview stale. */
const CHOICES: ReadonlySet<WizardEvent["type"]> = new Set([
  "setPolicy",
  "setMapping",
  "setSecret",
  "setOverride",
  "setPublicParam",
  "addPublicParam",
  "setJobParam",
  "setTargetStatus",
  "setTargetDirectory",
  "setContinueOnError",
  "setKeepSchedules",
  "profileChoices",
  "setRule",
  "addRule",
  "setVariable",
  "addVariable",
  "removeExtraMapping",
  "setLockPolicy",
  "setReleaseLocks",
  "setTimeZone",
]);

export function wizardReducer(s: WizardState, e: WizardEvent): WizardState {
  const next = step(s, e);
  return CHOICES.has(e.type) && next.changes !== null ? { ...next, changes: null } : next;
}

function step(s: WizardState, e: WizardEvent): WizardState {
  switch (e.type) {
    case "obsStatus": {
      const obs = { available: e.available, reason: e.reason };
      return { ...s, obs, location: e.available ? s.location : "local" };
    }
    case "setLocation":
      if (e.location === "obs" && s.obs && !s.obs.available) return s;
      return { ...s, location: e.location, error: null };
    case "setObsPath":
      return { ...s, obsPath: e.path, error: null };
    case "setFile":
      return { ...s, file: e.file, error: null };
    case "setPolicy":
      return { ...s, policy: e.policy };
    case "starting":
      return s.step === "source" ? { ...s, busy: true, error: null } : s;
    case "started":
      return { ...s, step: "inspecting", busy: false, taskId: e.task.id, progress: e.task.progress ?? 0, message: e.task.message ?? "", error: null };
    case "task":
      return fromTask(s, e.task);
    case "error":
      return { ...s, busy: false, error: e.message };
    case "setMapping":
      return { ...s, mapping: { ...s.mapping, [e.key]: e.value } };
    case "setSecret":
      return { ...s, passwords: { ...s.passwords, [e.connection]: { ...(s.passwords[e.connection] ?? {}), [e.field]: e.value } } };
    case "setOverride": {
      const overrides = { ...s.overrides };
      if (e.policy === null) delete overrides[e.key];
      else overrides[e.key] = e.policy;
      return { ...s, overrides };
    }
    case "addPublicParam":
      return { ...s, publicParams: [...s.publicParams, { name: "", value: "" }] };
    case "setPublicParam": {
      const rows = [...s.publicParams];
      if (e.row === null) rows.splice(e.index, 1);
      else rows[e.index] = e.row;
      return { ...s, publicParams: rows };
    }
    case "setJobParam":
      return { ...s, jobParams: { ...s.jobParams, [e.job]: { ...(s.jobParams[e.job] ?? {}), [e.name]: e.value } } };
    case "setTargetStatus":
      return { ...s, targetStatus: e.status };
    case "setTargetDirectory":
      return { ...s, targetDirectory: e.directory };
    case "setContinueOnError":
      return { ...s, continueOnError: e.value };
    case "setKeepSchedules":
      return { ...s, keepSchedules: e.value };
    case "setProfile":
      if (s.step !== "source") return s;
      return { ...s, profile: e.profile, profileApplied: false, profileMasked: [], policy: e.policy ?? s.policy };
    case "profileChoices":
      return s.step === "review" && s.profile && !s.profileApplied ? withProfileChoices(s, e.choices) : s;
    case "profileFailed":
      return s.step === "review" && s.profile && !s.profileApplied ? { ...s, profile: null, error: `The profile's choices could not be read: ${e.message}` } : s;
    case "addRule":
      return { ...s, rewriteRules: [...s.rewriteRules, { find: "", replace: "", regex: false, wholeWord: true }] };
    case "setRule": {
      const rows = [...s.rewriteRules];
      if (e.row === null) rows.splice(e.index, 1);
      else rows[e.index] = e.row;
      return { ...s, rewriteRules: rows };
    }
    case "addVariable":
      return { ...s, variables: [...s.variables, { name: "", value: "", masked: false }] };
    case "setVariable": {
      const rows = [...s.variables];
      if (e.row === null) rows.splice(e.index, 1);
      else rows[e.index] = e.row;
      return { ...s, variables: rows };
    }
    case "removeExtraMapping":
      return { ...s, extraMapping: s.extraMapping.filter((_, i) => i !== e.index) };
    case "setLockPolicy":
      return { ...s, lockPolicy: e.value };
    case "setReleaseLocks":
      return { ...s, releaseLocks: e.value };
    case "setTimeZone":
      return { ...s, expressionTimeZone: e.value };
    case "previewing":
      return s.step === "review" ? { ...s, busy: true, error: null } : s;
    case "previewStarted":
      return {
        ...s,
        step: "previewing",
        busy: false,
        changes: null,
        previews: s.previews + 1,
        progress: e.task.progress ?? 0,
        message: e.task.message ?? "",
        error: null,
      };
    case "showChanges":
      return s.step === "review" && s.changes !== null ? { ...s, step: "changes", error: null } : s;
    case "back":
      return s.step === "changes" && !s.busy ? { ...s, step: "review", error: null } : s;
    case "setSkipUnchanged":
      return { ...s, skipUnchanged: e.value };
    case "applying":
      return s.step === "changes" ? { ...s, busy: true, error: null } : s;
    case "applyStarted":
      return {
        ...s,
        step: "applying",
        busy: false,
        progress: e.task?.progress ?? 0,
        message: e.task?.message ?? "",
        subtasks: e.task?.subtasks ?? [],
        live: null,
        liveObjects: {},
      };
    case "reset":
      return { ...initialWizard(s.category, s.maxBytes), obs: s.obs, location: s.obs && !s.obs.available ? "local" : "obs" };
  }
}

/** Whether the wizard is waiting on the server (and so should poll the task). */
export const isPolling = (s: WizardState) => (s.step === "inspecting" || s.step === "previewing" || s.step === "applying") && s.taskId !== null;

/** Display names of the wizard's steps, for its step indicator. */
export const STEP_TITLES: { step: WizardStep[]; title: string }[] = [
  { step: ["source"], title: "Select File" },
  { step: ["inspecting", "review"], title: "Check Contents" },
  { step: ["previewing", "changes"], title: "Review Changes" },
  { step: ["applying", "report", "failed"], title: "Import" },
];

export function reportCounts(r: ImportReport) {
  if (r.summary) {
    const n = (k: string) => r.summary?.[k] ?? 0;
    return { created: n("created"), overwritten: n("overwritten"), skipped: n("skipped"), renamed: n("renamed"), failed: n("failed") };
  }
  return {
    created: r.created.length,
    overwritten: r.overwritten.length,
    skipped: r.skipped.length,
    renamed: r.renamed.length,
    failed: r.failed.length,
  };
}

/** The objects left as they were because nothing differed (skip unchanged): the report's own list when
 * it has one, else its objects whose outcome says so. */
export function unchangedRows(r: ImportReport): ReportRow[] {
  return r.unchanged ?? (r.objects ?? []).filter((o) => o.outcome === "unchanged");
}

export function unchangedCount(r: ImportReport): number {
  return r.summary ? (r.summary.unchanged ?? 0) : unchangedRows(r).length;
}

// ---- the apply step's progress view

export type ProgressStatus = "PENDING" | "RUNNING" | "SUCCESSFUL" | "FAILED";

export interface ProgressRow {
  key: string;
  type: string;
  name: string;
  status: ProgressStatus;
  /** created, overwritten, unchanged, skipped, renamed, failed; "" until the object is done. */
  outcome: string;
  message: string;
  /** The status as a glyph: ✓ written, = unchanged, – skipped, ✗ failed, ⋯ being written, ○ waiting. */
  icon: string;
  /** What a screen reader says for the icon. */
  statusText: string;
}

export interface ApplyProgressView {
  /** 0..100 for the progress bar: the share of the objects done. */
  percent: number;
  done: number;
  total: number;
  failed: number;
  /** "12 of 40 objects imported", or what the worker is doing before it writes objects. */
  summary: string;
  /** The rows to show: at most `limit`, around where the import is. */
  rows: ProgressRow[];
  hiddenBefore: number;
  hiddenAfter: number;
}

const PENDING_ORDER: [string, keyof Pick<Inspection, "resources" | "scripts" | "jobs">][] = [
  ["resource", "resources"],
  ["script", "scripts"],
  ["job", "jobs"],
];

function rowOf(type: string, name: string, status: ProgressStatus, outcome = "", message = ""): ProgressRow {
  const skipped = status === "SUCCESSFUL" && outcome === "skipped";
  const same = status === "SUCCESSFUL" && outcome === "unchanged";
  const icon = status === "FAILED" ? "✗" : status === "RUNNING" ? "⋯" : status === "PENDING" ? "○" : skipped ? "–" : same ? "=" : "✓";
  const statusText = status === "PENDING" ? "waiting" : status === "RUNNING" ? "importing" : outcome || status.toLowerCase();
  return { key: objectKey(type, name), type, name, status, outcome, message, icon, statusText };
}

/**
 * What the apply step shows while the worker writes: the progress bar, "12 of 40 objects imported", and
 * one row per object with its status, the ones done first (in the order they were written), then the one
 * being written, then those still waiting (from the inspection: resources, scripts, jobs).
 */
export function applyProgressView(s: WizardState, limit = 300): ApplyProgressView {
  const reported = Object.values(s.liveObjects).sort((a, b) => a.order - b.order);
  const rows: ProgressRow[] = reported.map((o) => rowOf(o.type, o.name, o.status as ProgressStatus, o.outcome, o.message));
  const seen = new Set(rows.map((r) => r.key));
  for (const [type, list] of PENDING_ORDER) {
    for (const o of s.inspection?.[list] ?? []) {
      const key = objectKey(type, o.name);
      if (!seen.has(key)) {
        seen.add(key);
        rows.push(rowOf(type, o.name, "PENDING"));
      }
    }
  }
  const done = s.live?.done ?? 0;
  const total = Math.max(s.live?.total ?? 0, rows.length);
  const failed = s.live?.failed ?? 0;
  const percent = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 0;
  const summary = s.live && s.live.total > 0 ? `${done} of ${s.live.total} objects imported${failed ? `, ${failed} failed` : ""}` : s.message || "Preparing the import…";
  let start = 0;
  if (rows.length > limit) {
    const current = rows.findIndex((r) => r.status === "RUNNING" || r.status === "PENDING");
    const at = current < 0 ? rows.length : current;
    start = Math.max(0, Math.min(rows.length - limit, at - Math.floor(limit / 2)));
  }
  const shown = rows.slice(start, start + limit);
  return { percent, done, total, failed, summary, rows: shown, hiddenBefore: start, hiddenAfter: rows.length - start - shown.length };
}

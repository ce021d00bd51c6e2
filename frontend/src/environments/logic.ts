/**
 * The environment profile form as plain data: its state from a saved profile, the checks shown beside each
 * field (named as the server names them: `target.endpoint`, `rewriteRules.0.find`), the request body, and
 * reading an exported file to import. Secrets start blank: a blank key or masked value keeps the stored one.
 */
import { isApiError } from "../api/client";
import type { MappingKind, Profile, ProfileInput } from "../api/profiles";

export const MAPPING_KINDS: { value: MappingKind; label: string }[] = [
  { value: "connection", label: "Data connection" },
  { value: "script", label: "Script" },
  { value: "dli_queue", label: "DLI queue" },
  { value: "ges_graph", label: "GES graph" },
  { value: "dis_stream", label: "DIS stream" },
  { value: "cdm_cluster", label: "CDM cluster" },
  { value: "mrs_cluster", label: "MRS cluster" },
  { value: "resource", label: "Resource" },
];

export const SECTIONS = ["Target", "Mappings", "Parameters", "Variables", "Rewrite rules", "Policies"] as const;
export type Section = (typeof SECTIONS)[number];

export interface ValueRow {
  job: string;
  name: string;
  value: string;
  masked: boolean;
  /** A masked value is stored (a blank one keeps it). */
  stored: boolean;
}

export interface RuleRow {
  find: string;
  replace: string;
  regex: boolean;
  wholeWord: boolean;
}

export interface MappingRow {
  kind: MappingKind;
  name: string;
  connectionType: string;
  replace: string;
}

export interface FormState {
  name: string;
  description: string;
  kind: "workspace" | "remote";
  workspaceId: number | null;
  endpoint: string;
  projectId: string;
  remoteWorkspaceId: string;
  obsFolder: string;
  accessKey: string;
  secretKey: string;
  mappings: MappingRow[];
  publicParams: ValueRow[];
  jobParams: ValueRow[];
  environmentVariables: ValueRow[];
  rewriteRules: RuleRow[];
  duplicatePolicy: ProfileInput["duplicatePolicy"];
  lockPolicy: ProfileInput["lockPolicy"];
  releaseLocks: boolean;
  targetStatus: ProfileInput["targetStatus"];
  schedulePolicy: ProfileInput["schedulePolicy"];
  expressionTimeZone: string;
  requiresApproval: boolean;
}

export function emptyForm(): FormState {
  return {
    name: "",
    description: "",
    kind: "workspace",
    workspaceId: null,
    endpoint: "",
    projectId: "",
    remoteWorkspaceId: "",
    obsFolder: "",
    accessKey: "",
    secretKey: "",
    mappings: [],
    publicParams: [],
    jobParams: [],
    environmentVariables: [],
    rewriteRules: [],
    duplicatePolicy: "overwrite",
    lockPolicy: "take",
    releaseLocks: false,
    targetStatus: "submitted",
    schedulePolicy: "refuse",
    expressionTimeZone: "",
    requiresApproval: false,
  };
}

type Override = { job?: string; name: string; value: string | null; masked: boolean; valueSet: boolean };
const rows = (items: Override[]): ValueRow[] =>
  items.map((o) => ({ job: o.job ?? "", name: o.name, value: o.masked ? "" : (o.value ?? ""), masked: o.masked, stored: o.masked && o.valueSet }));

export function formFromProfile(p: Profile): FormState {
  const t = p.target;
  return {
    name: p.name,
    description: p.description,
    kind: t.kind,
    workspaceId: t.workspaceId,
    endpoint: t.endpoint,
    projectId: t.projectId,
    remoteWorkspaceId: t.remoteWorkspaceId,
    obsFolder: t.obsFolder,
    accessKey: "",
    secretKey: "",
    mappings: p.mappings.map((m) => ({ kind: m.kind, name: m.name, connectionType: m.connectionType ?? "", replace: m.replace })),
    publicParams: rows(p.publicParams),
    jobParams: rows(p.jobParams),
    environmentVariables: rows(p.environmentVariables),
    rewriteRules: p.rewriteRules.map((r) => ({ find: r.find, replace: r.replace, regex: !!r.regex, wholeWord: r.wholeWord !== false })),
    duplicatePolicy: p.duplicatePolicy,
    lockPolicy: p.lockPolicy,
    releaseLocks: p.releaseLocks,
    targetStatus: p.targetStatus,
    schedulePolicy: p.schedulePolicy,
    expressionTimeZone: p.expressionTimeZone,
    requiresApproval: p.requiresApproval,
  };
}

/** A blank masked value is sent as null: the server keeps the stored one. */
const valueOf = (r: ValueRow) => (r.masked && r.value === "" ? null : r.value);

export function formToInput(f: FormState): ProfileInput {
  const remote = f.kind === "remote";
  return {
    name: f.name.trim(),
    description: f.description.trim(),
    target: {
      kind: f.kind,
      workspaceId: remote ? null : f.workspaceId,
      endpoint: remote ? f.endpoint.trim() : "",
      projectId: remote ? f.projectId.trim() : "",
      remoteWorkspaceId: remote ? f.remoteWorkspaceId.trim() : "",
      obsFolder: remote ? f.obsFolder.trim() : "",
      accessKey: remote && f.accessKey.trim() ? f.accessKey.trim() : null,
      secretKey: remote && f.secretKey ? f.secretKey : null,
    },
    mappings: f.mappings.map((m) => ({
      kind: m.kind,
      name: m.name.trim(),
      connectionType: m.kind === "connection" && m.connectionType ? (m.connectionType as NonNullable<ProfileInput["mappings"]>[number]["connectionType"]) : null,
      replace: m.replace.trim(),
    })),
    publicParams: f.publicParams.map((r) => ({ name: r.name.trim(), value: valueOf(r), masked: r.masked })),
    jobParams: f.jobParams.map((r) => ({ job: r.job.trim(), name: r.name.trim(), value: valueOf(r), masked: r.masked })),
    environmentVariables: f.environmentVariables.map((r) => ({ name: r.name.trim(), value: valueOf(r), masked: r.masked })),
    rewriteRules: f.rewriteRules.map((r) => ({ find: r.find, replace: r.replace, regex: r.regex, wholeWord: r.wholeWord })),
    duplicatePolicy: f.duplicatePolicy,
    lockPolicy: f.lockPolicy,
    releaseLocks: f.releaseLocks,
    targetStatus: f.targetStatus,
    schedulePolicy: f.schedulePolicy,
    expressionTimeZone: f.expressionTimeZone.trim(),
    requiresApproval: f.requiresApproval,
  };
}

const NAME = /^[\p{L}\p{N}_.-]{1,64}$/u;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What the form can tell before the server does (the server checks everything again, regexes fully). */
export function ruleProblem(r: RuleRow): string | null {
  if (!r.find) return "Enter the text to find.";
  if (/[\r\n]/.test(r.find) || /[\r\n]/.test(r.replace)) return "A rule works on one line: no line breaks.";
  if (!r.regex) return null;
  if (!r.find.startsWith("^") && !/(^|[^\\])\$$/.test(r.find)) return "Anchor the expression: start it with ^ or end it with $.";
  try {
    new RegExp(r.find);
  } catch {
    return "The expression is not valid.";
  }
  return null;
}

export function formProblems(f: FormState, stored: Profile | null): Record<string, string> {
  const p: Record<string, string> = {};
  if (!f.name.trim()) p.name = "Enter a name.";
  else if (!NAME.test(f.name.trim())) p.name = "1 to 64 letters, digits, '-', '_' or '.'.";
  if (f.kind === "workspace") {
    if (f.workspaceId == null) p["target.workspaceId"] = "Choose the workspace to promote to.";
  } else {
    if (!/^https?:\/\/\S+$/.test(f.endpoint.trim())) p["target.endpoint"] = "An http:// or https:// URL.";
    if (!ID.test(f.projectId.trim())) p["target.projectId"] = "1 to 64 letters, digits, '-' or '_'.";
    if (f.remoteWorkspaceId.trim() && !ID.test(f.remoteWorkspaceId.trim())) p["target.remoteWorkspaceId"] = "Letters, digits, '-' or '_', or empty.";
    if (!/^obs:\/\/[^/\s]+\/?\S*$/.test(f.obsFolder.trim())) p["target.obsFolder"] = "An OBS folder, obs://bucket/folder/.";
    const keysStored = stored?.target.kind === "remote";
    if (!keysStored && !f.accessKey.trim()) p["target.accessKey"] = "Enter the access key.";
    if (!keysStored && !f.secretKey) p["target.secretKey"] = "Enter the secret key.";
  }
  const seen = new Set<string>();
  f.mappings.forEach((m, i) => {
    if (!m.name.trim()) p[`mappings.${i}.name`] = "Enter the name in this workspace.";
    if (!m.replace.trim()) p[`mappings.${i}.replace`] = "Enter the name in the target.";
    const key = `${m.kind}:${m.name.trim()}`;
    if (m.name.trim() && seen.has(key)) p[`mappings.${i}.name`] = "Mapped twice.";
    seen.add(key);
  });
  const values = (list: ValueRow[], where: string, perJob: boolean) =>
    list.forEach((r, i) => {
      if (perJob && !r.job.trim()) p[`${where}.${i}.job`] = "Enter the job.";
      if (!r.name.trim()) p[`${where}.${i}.name`] = "Enter the name.";
    });
  values(f.publicParams, "publicParams", false);
  values(f.jobParams, "jobParams", true);
  values(f.environmentVariables, "environmentVariables", false);
  f.rewriteRules.forEach((r, i) => {
    const problem = ruleProblem(r);
    if (problem) p[`rewriteRules.${i}.find`] = problem;
  });
  return p;
}

/** The server's field errors ("target.endpoint": ["..."]) as one message per field. */
export function serverProblems(error: unknown): Record<string, string> {
  if (!isApiError(error)) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(error.fields)) {
    out[key] = Array.isArray(value) ? value.map(String).join(" ") : typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

/** The form section that holds a field, so that a section with a problem can say so. */
export function sectionOf(field: string): Section {
  const head = field.split(".")[0];
  if (head === "target") return "Target";
  if (head === "mappings") return "Mappings";
  if (head === "publicParams" || head === "jobParams") return "Parameters";
  if (head === "environmentVariables") return "Variables";
  if (head === "rewriteRules") return "Rewrite rules";
  if (head === "name" || head === "description") return "Target";
  return "Policies";
}

export type ParsedFile = { ok: true; document: unknown; name: string; remote: boolean } | { ok: false; problem: string };

/** An exported profile file, read before it is sent: its name, and whether its target needs keys typed again. */
export function parseProfileFile(text: string): ParsedFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, problem: "The file is not JSON." };
  }
  const doc = data as { format?: unknown; profile?: { name?: unknown; target?: { kind?: unknown } } } | null;
  if (!doc || typeof doc !== "object" || doc.format !== "dataarts-console/environment-profile" || !doc.profile || typeof doc.profile !== "object") {
    return { ok: false, problem: "The file is not an exported environment profile." };
  }
  return { ok: true, document: data, name: typeof doc.profile.name === "string" ? doc.profile.name : "", remote: doc.profile.target?.kind === "remote" };
}

/** What the list says of a target. */
export function targetLabel(p: Profile): string {
  if (p.target.kind === "workspace") return p.target.workspaceName ? `Workspace ${p.target.workspaceName}` : "Workspace (deleted)";
  return `${p.target.endpoint} · project ${p.target.projectId}`;
}

/**
 * The console API's shapes as the frontend uses them.
 *
 * Response and request types come from the OpenAPI schema (schema.d.ts, generated from the backend;
 * `make test` fails when it is stale). Two kinds of data are free-form JSON there and are written down here
 * instead: the job/script document (DataArts' own definition, stored whole) and the import wizard's
 * inspection, report and package error (built by factory/transfer/imports/), until the schema types them.
 */
import type { components } from "./schema";

type S = components["schemas"];

export type Id = number;

export type Workspace = S["Workspace"];
export type Session = S["Session"];

export type Category = "job" | "script" | "resource";

export type TreeDirectory = S["TreeDirectory"];
export type Directory = S["Directory"];
/** An element of the tree; `directory` is its directory's path ("/" at the root). */
export type TreeElement = S["TreeElement"];
export type TreePage = S["Tree"];

// ---- node types (drive the palette and the property panel)

export type Widget = S["NodeField"]["widget"];
export type ReferenceKind =
  | "script"
  | "connection"
  | "dli_queue"
  | "ges_graph"
  | "dis_stream"
  | "cdm_cluster"
  | "mrs_cluster"
  | "resource"
  | "job";

export type NodeField = S["NodeField"];
export type NodeType = Omit<S["NodeType"], "fields"> & { fields: NodeField[] };

// ---- the job document (DataArts' job definition; unknown keys must survive)

export interface NodeProperty {
  name: string;
  value: unknown;
  [extra: string]: unknown;
}

export interface NodeCondition {
  preNodeName: string;
  expression: string;
  [extra: string]: unknown;
}

export interface JobNodeDoc {
  name: string;
  type: string;
  location?: { x: number | string; y: number | string; [extra: string]: unknown };
  preNodeName?: string[];
  conditions?: NodeCondition[];
  properties?: NodeProperty[];
  [extra: string]: unknown;
}

export interface JobDocument {
  name: string;
  nodes: JobNodeDoc[];
  processType?: string;
  directory?: string;
  [extra: string]: unknown;
}

export interface ScriptDocument {
  name: string;
  type: string;
  content?: string;
  connectionName?: string;
  database?: string;
  queueName?: string;
  [extra: string]: unknown;
}

export interface LockInfo {
  lockHolder: string | null;
  lockedByMe: boolean;
}

export type Job = Omit<S["Job"], "document"> & { document: JobDocument };
export type Script = Omit<S["Script"], "document"> & { document: ScriptDocument };
export type ScriptSummary = S["ScriptSummary"];
/** A node property naming an object the workspace does not hold (the canvas flags its node). */
export type UnresolvedReference = S["UnresolvedReference"];

export type VersionSummary = S["Version"];
export type VersionDetail = S["VersionDetail"];

// ---- referable objects

export type Connection = S["Connection"];
export type ExternalObject = S["ExternalObject"];
export type Resource = S["Resource"];
export type EnvironmentVariable = S["EnvironmentVariable"];
export type BatchUnlockResult = S["BatchUnlockResult"];

// ---- tasks, exports, imports

export type TaskStatus = S["SystemTask"]["status"];
export type SubTask = S["SubTask"];
/** What a RUNNING step has done so far, as its worker published it (before its rows are committed). */
export type LiveProgress = S["LiveProgress"];
export type LiveObject = S["LiveObject"];
export type Task = S["SystemTask"];

/** `obsOverwrite` has a server default (false): sent only when the user asks to replace a package. */
export type ExportRequest = Omit<S["ExportCreateInputRequest"], "obsOverwrite"> & { obsOverwrite?: boolean };
export type ExportScope = NonNullable<ExportRequest["scope"]>;
export type ExportStatus = NonNullable<ExportRequest["status"]>;

export type DownloadRecord = S["Download"];

// ---- OBS, scoped to the workspace's allow-list

/** Whether the workspace can use OBS now (`reason` when not) and its allow-list. */
export type ObsStatus = S["ObsStatus"];
export type ObsObject = S["ObsObject"];
/** At the root: `buckets`, `prefixes` (allowed folders, full obs:// paths) and `allowList`; below: `path`,
 * `prefixes` (full obs:// paths), `objects`, `truncated`. */
export type ObsListing = S["ObsListing"];

export type WorkspaceUpdate = S["PatchedWorkspaceUpdateInputRequest"];
export type WorkspaceCreate = S["WorkspaceCreateInputRequest"];
export type Member = S["Member"];
export type MemberSet = S["MemberSetInputRequest"];
export type Role = Member["role"];
/** Configure Owner: `ids` (the ticked objects) and/or `currentOwner` (DataArts' Migrate), and the target. */
export type OwnerSet = S["OwnerSetInputRequest"];
export type OwnerSetResult = S["OwnerSetResult"];
export type LockPolicy = Workspace["lockPolicy"];

export type DuplicatePolicy = "overwrite" | "skip" | "rename";

export interface InspectedParam {
  name: string;
  value: unknown;
  type: string;
  masked: boolean;
}

export interface InspectedObject {
  name: string;
  path?: string;
  directory?: string | null;
  type?: string | null;
  exists: boolean;
  lockHolder?: string | null;
  blockedReason?: string | null;
  scheduled?: boolean;
  params?: InspectedParam[];
  processType?: string | null;
  nodeCount?: number;
  connectionName?: string;
  location?: string;
}

export interface ReferenceUse {
  type: string;
  name: string;
  node: string | null;
  property: string | null;
}

/** One missing object the package refers to. */
export interface MissingReference {
  name: string;
  usedBy: ReferenceUse[];
  usedByCount?: number;
  /** The package defines a data connection of this name that can be created (with its secrets). */
  canCreate: boolean;
  secretFields?: string[];
  note?: string;
  /** For a missing script: the script types the nodes running it accept (empty or absent: any). */
  scriptTypes?: string[];
}

/** Missing references of one kind (and connection type), with the existing objects that may replace them. */
export interface MissingGroup {
  kind: string;
  connectionType: string | null;
  label: string;
  /** Must every reference be mapped before the import can go on? (environment variables need not be) */
  required: boolean;
  candidates: string[];
  candidatesTruncated?: boolean;
  /** A missing script or cloud object may be left unresolved: the job imports and fails when scheduled. */
  canLeaveUnresolved?: boolean;
  references: MissingReference[];
}

export interface PackageConnection {
  name: string;
  type: string;
  secretFields: string[];
  path?: string;
  exists: boolean;
  canCreate: boolean;
}

export type Inspection = {
  category?: string;
  jobs: InspectedObject[];
  scripts: InspectedObject[];
  resources: InspectedObject[];
  connections: PackageConnection[];
  environment?: { name: string; value: unknown; exists: boolean }[];
  missing: MissingGroup[];
  notes?: string[];
  /** E.g. "Job J: node N: unknown type T, its references are not checked." */
  warnings?: string[];
  summary?: Record<string, number>;
};

export interface ReportRow {
  type: string;
  name: string;
  outcome: string;
  message: string;
  newName?: string;
  [extra: string]: unknown;
}

export type ImportReport = {
  fileName?: string;
  rolledBack?: boolean;
  summary?: Record<string, number>;
  objects?: ReportRow[];
  created: ReportRow[];
  overwritten: ReportRow[];
  skipped: ReportRow[];
  renamed: ReportRow[];
  failed: ReportRow[];
  /** The nodes of imported jobs that use a reference the user left unresolved. */
  unresolved?: ReportUnresolved[];
};

/** Where an imported job uses a reference left unresolved (node null: the job's schedule). */
export interface ReportUnresolved {
  job: string;
  node: string | null;
  kind: string;
  name: string;
  property: string | null;
}

/** Why a package was refused: the entry, field, line and column. */
export type PackageError = {
  message?: string;
  entry?: string;
  field?: string;
  line?: number;
  column?: number;
  [extra: string]: unknown;
};

export type ImportTask = Omit<S["ImportTask"], "inspection" | "report" | "error"> & {
  inspection: Inspection | null; // until the schema types it (issue 14)
  report: ImportReport | null; // until the schema types it (issue 14)
  error: PackageError | null; // until the schema types it (issue 14)
};

export type ApplyRequest = S["ImportApplyInputRequest"];

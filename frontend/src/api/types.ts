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
/** The tree's ticked objects as the batch operations take them (as the export does): ticked ids and
 * directories, the whole tree (`all`), minus what is unticked inside them; the server resolves it. */
export type BatchSelection = S["BatchSelectionRequest"];
/** Configure Owner: the ticked objects (a BatchSelection) and/or `currentOwner` (DataArts' Migrate), and the target. */
export type OwnerSet = S["OwnerSetInputRequest"];
export type OwnerSetResult = S["OwnerSetResult"];
export type LockPolicy = Workspace["lockPolicy"];

export type DuplicatePolicy = "overwrite" | "skip" | "rename";

export type InspectedParam = S["InspectedParam"];
export type InspectedObject = S["InspectedObject"];
export type ReferenceUse = S["ReferenceUse"];
/** One missing object the package refers to. */
export type MissingReference = S["MissingReference"];
/** Missing references of one kind (and connection type), with the existing objects that may replace them. */
export type MissingGroup = S["MissingGroup"];
export type PackageConnection = S["PackageConnection"];
export type Inspection = S["Inspection"];
export type ReportRow = S["ReportRow"];
export type ImportReport = S["ImportReport"];
/** Where an imported job uses a reference left unresolved (node null: the job's schedule). */
export type ReportUnresolved = S["ReportUnresolved"];
/** Why a package was refused: the entry, field, line and column. */
export type PackageError = S["PackageError"];

export type ImportTask = S["ImportTask"];

export type ApplyRequest = S["ImportApplyInputRequest"];

/**
 * The job document ⇄ the canvas's nodes and edges, and every edit the canvas makes to the document.
 *
 * The document (DataArts' job definition) is the one source of truth: the canvas derives its nodes and
 * edges from it, and each edit returns a new document. Only the fields an edit is about are touched;
 * every other key, known or not, survives as it was (real exports carry fields no documentation lists).
 */
import { Graph, layout } from "@dagrejs/dagre";
import type { Edge, Node } from "@xyflow/react";
import type { JobDocument, JobNodeDoc, NodeCondition, NodeField, NodeProperty, NodeType, UnresolvedReference } from "../api/types";
import { nodeUnresolved, unresolvedMessage } from "./unresolved";

export const NODE_WIDTH = 140;
export const NODE_HEIGHT = 40;

export interface JobNodeData extends Record<string, unknown> {
  name: string;
  type: string;
  label: string;
  badge: string;
  category: string;
  /** Required fields of the node type that have no value. */
  missing: string[];
  /** The objects the node refers to (connection, script, queue...), for a second line on the node. */
  summary: string;
  /** What the node names that the workspace does not hold ("connection dws_x does not exist ..."). */
  unresolved: string[];
}

export type JobFlowNode = Node<JobNodeData, "job">;
export type JobFlowEdge = Edge<{ condition: string | null }>;

/** A coordinate from the document: numbers, or numeric strings such as "-45.5". */
export function parseCoordinate(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function nodeLocation(node: JobNodeDoc): { x: number; y: number } | null {
  const loc = node.location;
  if (!loc || typeof loc !== "object") return null;
  const x = parseCoordinate(loc.x);
  const y = parseCoordinate(loc.y);
  return x === null || y === null ? null : { x, y };
}

export function nodeProperties(node: JobNodeDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of node.properties ?? []) if (p && typeof p.name === "string") out[p.name] = p.value;
  return out;
}

// ---- secrets: the server keeps sensitive values apart and answers them empty, naming them in secretFields

/** The key of a node property's secret in a job's `secretFields`. */
export function nodeSecretKey(nodeName: string, property: string): string {
  return `node:${nodeName}:${property}`;
}

/** The key of a masked parameter's secret in a job's `secretFields`. */
export function paramSecretKey(name: string): string {
  return `param:${name}`;
}

/** Flags are JSON booleans or strings ("true") in real exports. */
function flagTrue(value: unknown): boolean {
  return value === true || (typeof value === "string" && value.trim().toLowerCase() === "true");
}

/** Sensitive: declared so by the node type, or flagged `value_is_sensitive` by the document. */
export function isSensitiveProperty(node: JobNodeDoc, property: string, field?: NodeField): boolean {
  if (field?.sensitive) return true;
  return (node.properties ?? []).some((p) => p?.name === property && flagTrue(p.value_is_sensitive));
}

/** Is a masked parameter's value kept by the server (named in `maskedParams`, or `masked: true`)? */
export function isMaskedParam(doc: JobDocument, param: { name: string; masked?: unknown }): boolean {
  const listed = Array.isArray(doc.maskedParams) && (doc.maskedParams as unknown[]).includes(param.name);
  return listed || flagTrue(param.masked);
}

/** The server holds a value for this secret: the document's value is empty and `secretFields` names it.
 * Saving the empty value keeps it; typing a new one replaces it. */
export function secretIsSet(secretFields: readonly string[] | undefined, key: string, value: unknown): boolean {
  return (value === undefined || value === null || value === "") && (secretFields ?? []).includes(key);
}

/** How a secret reads where its value is not editable: never the value itself. */
export function secretLabel(secretFields: readonly string[] | undefined, key: string, value: unknown): string {
  const typed = !(value === undefined || value === null || value === "");
  return typed || secretIsSet(secretFields, key, value) ? "set (hidden)" : "not set";
}

const BADGES: Record<string, string> = {
  DWSSQL: "DWS",
  DLISQL: "DLI",
  HiveSQL: "HIVE",
  SparkSQL: "SPK",
  RDSSQL: "RDS",
  PRESTO: "PRS",
  ClickHouseSQL: "CH",
  DORISSQL: "DOR",
  Shell: "SH",
  Python: "PY",
  CDMJob: "CDM",
  RESTAPI: "API",
  DLISpark: "DLS",
  MRSSpark: "MRS",
  MapReduce: "MR",
  MRSFlinkJob: "FLK",
  DLIFlinkJob: "FLK",
  SubJob: "SUB",
  ForEach: "FOR",
  ImportGES: "GES",
  DISTransferTask: "DIS",
  MRSKafka: "KFK",
  SMN: "SMN",
  OBSManager: "OBS",
  Dummy: "—",
};

/** A short badge for a node type, shown as its icon on the canvas and in the palette. */
export function nodeBadge(type: string): string {
  return BADGES[type] ?? (type.replace(/[^A-Za-z]/g, "").slice(0, 3).toUpperCase() || "?");
}

/** Positions from dagre for the whole graph, left to right, keyed by node name. */
export function autoLayout(nodes: JobNodeDoc[]): Map<string, { x: number; y: number }> {
  const g = new Graph();
  g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set(nodes.map((n) => n.name));
  for (const n of nodes) g.setNode(n.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const n of nodes) {
    for (const pre of n.preNodeName ?? []) if (names.has(pre) && pre !== n.name) g.setEdge(pre, n.name);
  }
  layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const p = g.node(n.name) as { x: number; y: number } | undefined;
    // dagre gives centres; React Flow wants top-left corners.
    if (p) out.set(n.name, { x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y - NODE_HEIGHT / 2) });
  }
  return out;
}

/**
 * Positions for every node: the saved location where there is one; dagre's layout for the others. When
 * only some nodes lack a location, the laid-out ones are placed below the saved ones so none overlap.
 */
export function nodePositions(nodes: JobNodeDoc[]): Map<string, { x: number; y: number }> {
  const out = new Map<string, { x: number; y: number }>();
  const missing: JobNodeDoc[] = [];
  for (const n of nodes) {
    const loc = nodeLocation(n);
    if (loc) out.set(n.name, loc);
    else missing.push(n);
  }
  if (missing.length === 0) return out;
  const laid = autoLayout(nodes);
  let dy = 0;
  let dx = 0;
  if (out.size > 0) {
    const maxY = Math.max(...[...out.values()].map((p) => p.y));
    const minLaidY = Math.min(...missing.map((n) => laid.get(n.name)?.y ?? 0));
    const minX = Math.min(...[...out.values()].map((p) => p.x));
    const minLaidX = Math.min(...missing.map((n) => laid.get(n.name)?.x ?? 0));
    dy = maxY + NODE_HEIGHT + 60 - minLaidY;
    dx = minX - minLaidX;
  }
  for (const n of missing) {
    const p = laid.get(n.name) ?? { x: 0, y: 0 };
    out.set(n.name, { x: p.x + dx, y: p.y + dy });
  }
  return out;
}

export function conditionFor(node: JobNodeDoc, pre: string): string | null {
  const c = (node.conditions ?? []).find((c) => c && c.preNodeName === pre);
  return c && typeof c.expression === "string" && c.expression ? c.expression : null;
}

export const edgeId = (source: string, target: string) => `${source}->${target}`;

/** The canvas's nodes and edges for a document. */
export function documentToFlow(
  doc: JobDocument,
  nodeTypes: NodeType[] = [],
  unresolved: readonly UnresolvedReference[] = [],
): { nodes: JobFlowNode[]; edges: JobFlowEdge[] } {
  const docNodes = Array.isArray(doc.nodes) ? doc.nodes.filter((n) => n && typeof n.name === "string") : [];
  const types = new Map(nodeTypes.map((t) => [t.code, t]));
  const positions = nodePositions(docNodes);
  const names = new Set(docNodes.map((n) => n.name));
  const nodes: JobFlowNode[] = docNodes.map((n) => {
    const t = types.get(n.type);
    const props = nodeProperties(n);
    const missing = (t?.fields ?? [])
      .filter((f) => f.required && (props[f.name] === undefined || props[f.name] === null || String(props[f.name]).trim() === ""))
      .map((f) => f.name);
    const refFields = (t?.fields ?? []).filter((f) => f.widget === "reference");
    // The connection first: it is what an import most often remaps.
    refFields.sort((a, b) => Number(b.refersTo === "connection") - Number(a.refersTo === "connection"));
    const summary = refFields
      .map((f) => props[f.name])
      .filter((v): v is string => typeof v === "string" && v.trim() !== "")
      .join(" · ");
    return {
      id: n.name,
      type: "job",
      position: positions.get(n.name) ?? { x: 0, y: 0 },
      data: { name: n.name, type: n.type, label: t?.label ?? n.type, badge: nodeBadge(n.type), category: t?.category ?? "", missing, summary, unresolved: nodeUnresolved(n, unresolved).map(unresolvedMessage) },
    };
  });
  const edges: JobFlowEdge[] = [];
  for (const n of docNodes) {
    for (const pre of n.preNodeName ?? []) {
      if (!names.has(pre)) continue; // a dangling name is kept in the document but not drawn
      const condition = conditionFor(n, pre);
      edges.push({
        id: edgeId(pre, n.name),
        source: pre,
        target: n.name,
        // Expressions are long: the edge shows that it has one, the property panel shows it whole.
        label: condition ? "if" : undefined,
        data: { condition },
      });
    }
  }
  return { nodes, edges };
}

// ---------------------------------------------------------------------------------------------
// Edits. Each returns a new document and leaves the input untouched.

function mapNodes(doc: JobDocument, fn: (n: JobNodeDoc) => JobNodeDoc): JobDocument {
  return { ...doc, nodes: (doc.nodes ?? []).map(fn) };
}

function formatCoordinate(value: number, like: unknown): number | string {
  const rounded = Math.round(value * 10) / 10;
  // Keep the document's own style: DataArts writes numeric strings.
  return typeof like === "number" ? rounded : String(rounded);
}

export function moveNode(doc: JobDocument, name: string, position: { x: number; y: number }): JobDocument {
  return mapNodes(doc, (n) => {
    if (n.name !== name) return n;
    const loc = n.location ?? { x: "0", y: "0" };
    return { ...n, location: { ...loc, x: formatCoordinate(position.x, n.location?.x), y: formatCoordinate(position.y, n.location?.y) } };
  });
}

/** A node name not used yet in the document, from a base such as the node type's label. */
export function uniqueNodeName(doc: JobDocument, base: string): string {
  const clean = base.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "") || "node";
  const used = new Set((doc.nodes ?? []).map((n) => n.name));
  for (let i = 1; ; i++) {
    const candidate = `${clean}_${i}`;
    if (!used.has(candidate)) return candidate;
  }
}

export function addNode(doc: JobDocument, type: NodeType, position: { x: number; y: number }): { doc: JobDocument; name: string } {
  const name = uniqueNodeName(doc, type.label);
  const properties: NodeProperty[] = type.fields
    .filter((f) => f.default !== null && f.default !== undefined)
    .map((f) => ({ name: f.name, value: String(f.default) }));
  const node: JobNodeDoc = {
    name,
    type: type.code,
    location: { x: String(Math.round(position.x * 10) / 10), y: String(Math.round(position.y * 10) / 10) },
    preNodeName: [],
    conditions: [],
    properties,
    pollingInterval: 20,
    maxExecutionTime: 360,
    retryTimes: 0,
    retryInterval: 120,
    failPolicy: "FAIL",
  };
  return { doc: { ...doc, nodes: [...(doc.nodes ?? []), node] }, name };
}

/** Whether `target` can already reach `source` (so an edge source→target would close a cycle). */
export function reaches(doc: JobDocument, from: string, to: string): boolean {
  const preOf = new Map((doc.nodes ?? []).map((n) => [n.name, n.preNodeName ?? []]));
  // Walk downstream from `from`: downstream of X = nodes listing X in preNodeName.
  const downstream = new Map<string, string[]>();
  for (const [name, pres] of preOf) for (const p of pres) downstream.set(p, [...(downstream.get(p) ?? []), name]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const cur = stack.pop()!;
    if (cur === to) return true;
    if (seen.has(cur)) continue;
    seen.add(cur);
    stack.push(...(downstream.get(cur) ?? []));
  }
  return false;
}

export type ConnectResult = { ok: true; doc: JobDocument } | { ok: false; reason: string };

/** Draws an edge source → target: target's preNodeName gains source. */
export function connectNodes(doc: JobDocument, source: string, target: string): ConnectResult {
  if (source === target) return { ok: false, reason: "A node cannot depend on itself." };
  const names = new Set((doc.nodes ?? []).map((n) => n.name));
  if (!names.has(source) || !names.has(target)) return { ok: false, reason: "Both nodes must exist." };
  const t = doc.nodes.find((n) => n.name === target)!;
  if ((t.preNodeName ?? []).includes(source)) return { ok: false, reason: `${target} already runs after ${source}.` };
  if (reaches(doc, target, source)) return { ok: false, reason: "This connection would create a cycle." };
  return { ok: true, doc: mapNodes(doc, (n) => (n.name === target ? { ...n, preNodeName: [...(n.preNodeName ?? []), source] } : n)) };
}

export function disconnectNodes(doc: JobDocument, source: string, target: string): JobDocument {
  return mapNodes(doc, (n) => {
    if (n.name !== target) return n;
    const next: JobNodeDoc = { ...n, preNodeName: (n.preNodeName ?? []).filter((p) => p !== source) };
    if (n.conditions) next.conditions = n.conditions.filter((c) => c.preNodeName !== source);
    return next;
  });
}

export function setCondition(doc: JobDocument, source: string, target: string, expression: string): JobDocument {
  return mapNodes(doc, (n) => {
    if (n.name !== target) return n;
    const others = (n.conditions ?? []).filter((c) => c.preNodeName !== source);
    const existing = (n.conditions ?? []).find((c) => c.preNodeName === source);
    const conditions: NodeCondition[] = expression.trim()
      ? [...others, { ...(existing ?? {}), preNodeName: source, expression: expression.trim() }]
      : others;
    return { ...n, conditions };
  });
}

export function deleteNodes(doc: JobDocument, names: string[]): JobDocument {
  const gone = new Set(names);
  return {
    ...doc,
    nodes: (doc.nodes ?? [])
      .filter((n) => !gone.has(n.name))
      .map((n) => {
        const pres = n.preNodeName ?? [];
        const conds = n.conditions ?? [];
        if (!pres.some((p) => gone.has(p)) && !conds.some((c) => gone.has(c.preNodeName))) return n;
        const next: JobNodeDoc = { ...n, preNodeName: pres.filter((p) => !gone.has(p)) };
        if (n.conditions) next.conditions = conds.filter((c) => !gone.has(c.preNodeName));
        return next;
      }),
  };
}

export function setNodeProperty(doc: JobDocument, nodeName: string, property: string, value: unknown): JobDocument {
  return mapNodes(doc, (n) => {
    if (n.name !== nodeName) return n;
    const props = n.properties ?? [];
    const index = props.findIndex((p) => p.name === property);
    const empty = value === undefined || value === null || value === "";
    let next: NodeProperty[];
    if (index >= 0) next = props.map((p, i) => (i === index ? { ...p, value: empty ? "" : value } : p));
    else if (empty) next = props;
    else next = [...props, { name: property, value }];
    return { ...n, properties: next };
  });
}

/** Sets a top-level node field (maxExecutionTime, retryTimes, failPolicy, ...). */
export function setNodeField(doc: JobDocument, nodeName: string, field: string, value: unknown): JobDocument {
  if (field === "name" || field === "preNodeName" || field === "properties") throw new Error(`use the dedicated edit for ${field}`);
  return mapNodes(doc, (n) => (n.name === nodeName ? { ...n, [field]: value } : n));
}

export type RenameResult = { ok: true; doc: JobDocument } | { ok: false; reason: string };

export function renameNode(doc: JobDocument, from: string, to: string): RenameResult {
  const name = to.trim();
  if (!name) return { ok: false, reason: "Enter a node name." };
  if (name.length > 128) return { ok: false, reason: "A node name has at most 128 characters." };
  if (name !== from && (doc.nodes ?? []).some((n) => n.name === name)) return { ok: false, reason: `A node named ${name} already exists.` };
  return {
    ok: true,
    doc: mapNodes(doc, (n) => {
      const next: JobNodeDoc = { ...n };
      if (n.name === from) next.name = name;
      if (n.preNodeName?.includes(from)) next.preNodeName = n.preNodeName.map((p) => (p === from ? name : p));
      if (n.conditions?.some((c) => c.preNodeName === from))
        next.conditions = n.conditions.map((c) => (c.preNodeName === from ? { ...c, preNodeName: name } : c));
      return next;
    }),
  };
}

/** Node-level settings shown in the property panel beside the node type's own fields. */
export const NODE_SETTINGS: { field: string; label: string; kind: "number" | "select"; options?: string[]; min?: number; max?: number }[] = [
  { field: "maxExecutionTime", label: "Max. Node Execution Duration (min)", kind: "number", min: 5, max: 1440 },
  { field: "retryTimes", label: "Retry upon Failure (times)", kind: "number", min: 0, max: 5 },
  { field: "retryInterval", label: "Retry Interval (s)", kind: "number", min: 5, max: 120 },
  { field: "pollingInterval", label: "Polling Interval (s)", kind: "number", min: 1, max: 60 },
  { field: "failPolicy", label: "Policy for Handling Subsequent Nodes If the Current Node Fails", kind: "select", options: ["FAIL", "IGNORE", "SUSPEND", "FAIL_CHILD"] },
];

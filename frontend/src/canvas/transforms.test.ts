import { describe, expect, it } from "vitest";
import type { JobDocument, NodeType } from "../api/types";
import {
  addNode,
  connectNodes,
  deleteNodes,
  disconnectNodes,
  documentToFlow,
  isMaskedParam,
  isSensitiveProperty,
  moveNode,
  nodeBadge,
  nodePositions,
  nodeSecretKey,
  paramSecretKey,
  parseCoordinate,
  renameNode,
  secretIsSet,
  secretLabel,
  setCondition,
  setNodeField,
  setNodeProperty,
  uniqueNodeName,
} from "./transforms";

const DWS: NodeType = {
  code: "DWSSQL",
  label: "DWS SQL",
  category: "Data Lake",
  fields: [
    { name: "scriptName", label: "Script", widget: "reference", refersTo: "script", connectionType: null, scriptTypes: ["DWSSQL"], required: true, options: [], default: null, sensitive: false },
    { name: "connectionName", label: "Data Connection", widget: "reference", refersTo: "connection", connectionType: "DWS", scriptTypes: [], required: true, options: [], default: null, sensitive: false },
    { name: "database", label: "Database", widget: "text", refersTo: null, connectionType: null, scriptTypes: [], required: false, options: [], default: "postgres", sensitive: false },
  ],
};

const doc1 = (): JobDocument => ({
  name: "doc1",
  processType: "BATCH",
  schedule: { type: "EXECUTE_ONCE" },
  cleanOverdueDays: 60, // an undocumented key that must survive
  nodes: [
    {
      name: "start",
      type: "Dummy",
      location: { x: "-45.5", y: "-134.5" },
      preNodeName: [],
      properties: [],
    },
    {
      name: "load",
      type: "DWSSQL",
      location: { x: 200, y: -134.5 },
      preNodeName: ["start"],
      conditions: [{ preNodeName: "start", expression: '#{Job.getNodeStatus("start") == "success" ? "true" : "false"}' }],
      properties: [
        { name: "scriptName", value: "load_sql", value_is_sensitive: false },
        { name: "connectionName", value: "doctest" },
      ],
      lineageInfo: "[]",
    },
  ],
});

describe("documentToFlow", () => {
  it("places nodes at their saved location, numeric strings included", () => {
    const { nodes } = documentToFlow(doc1(), [DWS]);
    expect(nodes.map((n) => [n.id, n.position])).toEqual([
      ["start", { x: -45.5, y: -134.5 }],
      ["load", { x: 200, y: -134.5 }],
    ]);
    expect(nodes[1].data).toMatchObject({ label: "DWS SQL", badge: "DWS", type: "DWSSQL", missing: [], summary: "doctest · load_sql" });
    expect(nodes[0].data.label).toBe("Dummy"); // unknown to the registry: its code
  });

  it("draws edges from preNodeName with condition labels", () => {
    const { edges } = documentToFlow(doc1(), [DWS]);
    expect(edges).toHaveLength(1);
    expect(edges[0]).toMatchObject({ id: "start->load", source: "start", target: "load" });
    expect(edges[0].label).toBe("if");
    expect(edges[0].data?.condition).toMatch(/getNodeStatus/);
  });

  it("reports required fields left empty", () => {
    const d = setNodeProperty(doc1(), "load", "connectionName", "");
    expect(documentToFlow(d, [DWS]).nodes[1].data.missing).toEqual(["connectionName"]);
  });

  it("ignores dangling edges and broken nodes", () => {
    const d: JobDocument = { name: "x", nodes: [{ name: "a", type: "Dummy", preNodeName: ["ghost"] }, null as never] };
    const { nodes, edges } = documentToFlow(d);
    expect(nodes).toHaveLength(1);
    expect(edges).toHaveLength(0);
  });
});

describe("layout", () => {
  it("parses coordinates", () => {
    expect(parseCoordinate("-45.5")).toBe(-45.5);
    expect(parseCoordinate(3)).toBe(3);
    expect(parseCoordinate("")).toBeNull();
    expect(parseCoordinate("abc")).toBeNull();
    expect(parseCoordinate(undefined)).toBeNull();
  });

  it("lays out nodes without locations with dagre, upstream left of downstream", () => {
    const d: JobDocument = {
      name: "x",
      nodes: [
        { name: "c", type: "Dummy", preNodeName: ["b"] },
        { name: "a", type: "Dummy", preNodeName: [] },
        { name: "b", type: "Dummy", preNodeName: ["a"] },
      ],
    };
    const p = nodePositions(d.nodes);
    expect(p.get("a")!.x).toBeLessThan(p.get("b")!.x);
    expect(p.get("b")!.x).toBeLessThan(p.get("c")!.x);
  });

  it("places laid-out nodes below the saved ones when only some have locations", () => {
    const d: JobDocument = {
      name: "x",
      nodes: [
        { name: "a", type: "Dummy", location: { x: 0, y: 0 } },
        { name: "b", type: "Dummy", location: { x: "300", y: "100" } },
        { name: "c", type: "Dummy" },
      ],
    };
    const p = nodePositions(d.nodes);
    expect(p.get("a")).toEqual({ x: 0, y: 0 });
    expect(p.get("c")!.y).toBeGreaterThan(100);
  });

  it("has a badge for every node type", () => {
    expect(nodeBadge("DWSSQL")).toBe("DWS");
    expect(nodeBadge("SomethingNew")).toBe("SOM");
  });
});

describe("edits", () => {
  it("moving a node keeps the document's coordinate style and every other key", () => {
    const d = moveNode(doc1(), "start", { x: 10.26, y: 20 });
    expect(d.nodes[0].location).toEqual({ x: "10.3", y: "20" });
    const d2 = moveNode(doc1(), "load", { x: 5, y: 6 });
    expect(d2.nodes[1].location).toEqual({ x: 5, y: 6 });
    expect(d2.cleanOverdueDays).toBe(60);
    expect(d2.nodes[1].lineageInfo).toBe("[]");
  });

  it("does not change the input", () => {
    const original = doc1();
    const snapshot = JSON.stringify(original);
    moveNode(original, "start", { x: 1, y: 1 });
    setNodeProperty(original, "load", "database", "x");
    deleteNodes(original, ["start"]);
    expect(JSON.stringify(original)).toBe(snapshot);
  });

  it("adds a node with a unique name and the type's defaults", () => {
    const { doc, name } = addNode(doc1(), DWS, { x: 50, y: 60 });
    expect(name).toBe("DWS_SQL_1");
    const node = doc.nodes.find((n) => n.name === name)!;
    expect(node).toMatchObject({ type: "DWSSQL", location: { x: "50", y: "60" }, preNodeName: [] });
    expect(node.properties).toEqual([{ name: "database", value: "postgres" }]);
    expect(uniqueNodeName(doc, "DWS SQL")).toBe("DWS_SQL_2");
  });

  it("connecting updates preNodeName and refuses self-loops, duplicates and cycles", () => {
    const { doc } = addNode(doc1(), DWS, { x: 0, y: 0 });
    const r = connectNodes(doc, "load", "DWS_SQL_1");
    expect(r.ok).toBe(true);
    const d = (r as { doc: JobDocument }).doc;
    expect(d.nodes[2].preNodeName).toEqual(["load"]);
    expect(connectNodes(d, "load", "load").ok).toBe(false);
    expect(connectNodes(d, "start", "load")).toMatchObject({ ok: false, reason: expect.stringMatching(/already/) });
    expect(connectNodes(d, "DWS_SQL_1", "start")).toMatchObject({ ok: false, reason: expect.stringMatching(/cycle/) });
  });

  it("disconnecting removes the edge and its condition", () => {
    const d = disconnectNodes(doc1(), "start", "load");
    expect(d.nodes[1].preNodeName).toEqual([]);
    expect(d.nodes[1].conditions).toEqual([]);
    expect(documentToFlow(d).edges).toHaveLength(0);
  });

  it("sets and clears an edge condition", () => {
    let d = setCondition(doc1(), "start", "load", "#{true}");
    expect(d.nodes[1].conditions).toEqual([{ preNodeName: "start", expression: "#{true}" }]);
    d = setCondition(d, "start", "load", "  ");
    expect(d.nodes[1].conditions).toEqual([]);
  });

  it("deleting a node removes the edges to it", () => {
    const d = deleteNodes(doc1(), ["start"]);
    expect(d.nodes.map((n) => n.name)).toEqual(["load"]);
    expect(d.nodes[0].preNodeName).toEqual([]);
    expect(d.nodes[0].conditions).toEqual([]);
  });

  it("setting a property keeps the property's other keys; a new one is appended", () => {
    let d = setNodeProperty(doc1(), "load", "scriptName", "other_sql");
    expect(d.nodes[1].properties![0]).toEqual({ name: "scriptName", value: "other_sql", value_is_sensitive: false });
    d = setNodeProperty(d, "load", "database", "analytics");
    expect(d.nodes[1].properties!.at(-1)).toEqual({ name: "database", value: "analytics" });
    const unchanged = setNodeProperty(doc1(), "load", "nothing", "");
    expect(unchanged.nodes[1].properties).toHaveLength(2);
  });

  it("sets node-level fields but not the structural ones", () => {
    expect(setNodeField(doc1(), "load", "retryTimes", 3).nodes[1].retryTimes).toBe(3);
    expect(() => setNodeField(doc1(), "load", "name", "x")).toThrow();
  });

  it("renaming a node renames the edges and conditions that name it", () => {
    const r = renameNode(doc1(), "start", "begin");
    expect(r.ok).toBe(true);
    const d = (r as { doc: JobDocument }).doc;
    expect(d.nodes[0].name).toBe("begin");
    expect(d.nodes[1].preNodeName).toEqual(["begin"]);
    expect(d.nodes[1].conditions![0].preNodeName).toBe("begin");
    expect(renameNode(doc1(), "start", "load")).toMatchObject({ ok: false });
    expect(renameNode(doc1(), "start", " ")).toMatchObject({ ok: false });
  });
});

describe("secrets the server keeps apart", () => {
  const rest = {
    name: "call",
    type: "RESTAPI",
    properties: [
      { name: "url", value: "https://example.test" },
      { name: "authPassword", value: "" },
      { name: "dbPassword", value: "", value_is_sensitive: "true" },
    ],
  };
  const passwordField = { ...DWS.fields[2], name: "authPassword", sensitive: true };
  const secretFields = [nodeSecretKey("call", "authPassword"), paramSecretKey("tok")];

  it("a property is sensitive when the node type says so or the document flags it", () => {
    expect(isSensitiveProperty(rest, "authPassword", passwordField)).toBe(true);
    expect(isSensitiveProperty(rest, "dbPassword")).toBe(true);
    expect(isSensitiveProperty(rest, "url", DWS.fields[2])).toBe(false);
  });

  it("an empty value listed in secretFields is set on the server; a typed value or an unlisted one is not", () => {
    expect(secretFields).toEqual(["node:call:authPassword", "param:tok"]);
    expect(secretIsSet(secretFields, nodeSecretKey("call", "authPassword"), "")).toBe(true);
    expect(secretIsSet(secretFields, nodeSecretKey("call", "authPassword"), "typed")).toBe(false);
    expect(secretIsSet(secretFields, nodeSecretKey("call", "dbPassword"), "")).toBe(false);
    expect(secretIsSet(undefined, nodeSecretKey("call", "authPassword"), "")).toBe(false);
  });

  it("a read-only secret never shows its value", () => {
    expect(secretLabel(secretFields, paramSecretKey("tok"), "")).toBe("set (hidden)");
    expect(secretLabel(secretFields, paramSecretKey("other"), "")).toBe("not set");
    expect(secretLabel([], paramSecretKey("other"), "typed-but-unsaved")).toBe("set (hidden)");
  });

  it("a parameter is masked when maskedParams names it or it carries masked: true", () => {
    const doc = { ...doc1(), maskedParams: ["apiKey"] };
    expect(isMaskedParam(doc, { name: "apiKey" })).toBe(true);
    expect(isMaskedParam(doc, { name: "tok", masked: true })).toBe(true);
    expect(isMaskedParam(doc, { name: "plain" })).toBe(false);
  });
});

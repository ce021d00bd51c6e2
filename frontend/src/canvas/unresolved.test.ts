import { describe, expect, it } from "vitest";
import type { JobDocument, UnresolvedReference } from "../api/types";
import { documentToFlow, setNodeProperty } from "./transforms";
import { unresolvedByProperty } from "./unresolved";

const doc: JobDocument = {
  name: "trips",
  nodes: [
    {
      name: "load",
      type: "DWSSQL",
      location: { x: 0, y: 0 },
      properties: [
        { name: "scriptName", value: "load_sql" },
        { name: "connectionName", value: "dws_x" },
      ],
    },
    { name: "stream", type: "Dummy", location: { x: 200, y: 0 }, properties: [], eventTrigger: { eventType: "DIS", channel: "s1" } },
    { name: "fine", type: "Dummy", location: { x: 400, y: 0 }, properties: [] },
  ],
} as JobDocument;

const refs: UnresolvedReference[] = [
  { node: "load", kind: "connection", name: "dws_x", property: "connectionName" },
  { node: "load", kind: "script", name: "load_sql", property: "scriptName" },
  { node: "stream", kind: "dis_stream", name: "s1", property: "eventTrigger.channel" },
];

const flags = (d: JobDocument) => Object.fromEntries(documentToFlow(d, [], refs).nodes.map((n) => [n.id, n.data.unresolved]));

describe("nodes naming objects the workspace does not hold", () => {
  it("carry what is missing, in words a tooltip can show", () => {
    expect(flags(doc)).toEqual({
      load: ["connection dws_x does not exist in this workspace", "script load_sql does not exist in this workspace"],
      stream: ["DIS stream s1 does not exist in this workspace"],
      fine: [],
    });
    expect(documentToFlow(doc).nodes.every((n) => n.data.unresolved.length === 0)).toBe(true);
  });

  it("lose the flag as soon as the property names something else", () => {
    const fixed = setNodeProperty(doc, "load", "connectionName", "dws_prod");
    expect(flags(fixed).load).toEqual(["script load_sql does not exist in this workspace"]);
  });

  it("tell the property panel which field is wrong", () => {
    expect(unresolvedByProperty(doc.nodes[0], refs)).toEqual({
      connectionName: "connection dws_x does not exist in this workspace",
      scriptName: "script load_sql does not exist in this workspace",
    });
    expect(unresolvedByProperty(doc.nodes[2], refs)).toEqual({});
    expect(unresolvedByProperty(doc.nodes[0], undefined)).toEqual({});
  });
});

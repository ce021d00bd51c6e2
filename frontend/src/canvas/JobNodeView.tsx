import { memo } from "react";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import type { JobFlowNode } from "./transforms";

const CATEGORY_CLASS: Record<string, string> = {
  "Data Lake": "cat-datalake",
  Compute: "cat-compute",
  Integration: "cat-integration",
  Others: "cat-others",
};

/** A node on the canvas: type badge, node name, and what it refers to (connection, script...). */
export const JobNodeView = memo(function JobNodeView({ data, selected }: NodeProps<JobFlowNode>) {
  const warn = data.missing.length > 0;
  const unresolved = data.unresolved.join("; ");
  return (
    <div
      className={`flow-node ${CATEGORY_CLASS[data.category] ?? "cat-others"}${selected ? " selected" : ""}${warn ? " warn" : ""}${unresolved ? " unresolved" : ""}`}
      data-node-name={data.name}
      title={`${data.label}: ${data.name}${warn ? ` — required: ${data.missing.join(", ")}` : ""}${unresolved ? ` — ${unresolved}; it fails when scheduled` : ""}`}
    >
      <Handle type="target" position={Position.Left} />
      <span className="flow-node-badge" aria-hidden="true">
        {data.badge}
      </span>
      <span className="flow-node-text">
        <span className="flow-node-name">{data.name}</span>
        <span className="flow-node-sub">{data.summary || data.label}</span>
      </span>
      {unresolved && (
        // DataArts imports such a node and fails it when scheduled: say which object, not just that one is missing.
        <span className="flow-node-unresolved" role="img" aria-label={`Unresolved reference: ${unresolved}`} title={`${unresolved}. The node fails when scheduled.`}>
          ⚠
        </span>
      )}
      {warn && (
        <span className="flow-node-warn" aria-label="Required properties missing">
          !
        </span>
      )}
      <Handle type="source" position={Position.Right} />
    </div>
  );
});

import { useMemo, useState } from "react";
import type { JobDocument, NodeType } from "../api/types";
import { FlowCanvas, type CanvasSelection } from "../canvas/FlowCanvas";
import { ChangeTable } from "./ChangeTable";
import { diffDocument, edgeClassNames, jobRows, jobSummary, nodeClassNames, type JobDiff } from "./logic";
import "./diff.css";

interface Props {
  diff: JobDiff;
  /** The older and the newer document: the canvas draws the newer one and the removed nodes of the older. */
  before?: JobDocument | null;
  after?: JobDocument | null;
  nodeTypes?: NodeType[];
  label?: string;
}

export function DiffLegend() {
  return (
    <ul className="diff-legend" aria-label="Legend">
      <li className="diff-added">added</li>
      <li className="diff-removed">removed</li>
      <li className="diff-modified">changed</li>
    </ul>
  );
}

/**
 * What changed in a job: its DAG drawn by the canvas with nodes and edges coloured added, removed or
 * changed, beside the list of property changes (path, before → after). Selecting a node, on the canvas
 * or in the list, shows only its changes.
 */
export function JobDiffView({ diff, before, after, nodeTypes = [], label = "Job differences" }: Props) {
  const document = useMemo(() => diffDocument(before, after, diff), [before, after, diff]);
  const nodeClasses = useMemo(() => nodeClassNames(diff), [diff]);
  const edgeClasses = useMemo(() => edgeClassNames(diff), [diff]);
  const rows = useMemo(() => jobRows(diff), [diff]);
  const [selection, setSelection] = useState<CanvasSelection>(null);
  const node = selection?.type === "node" ? selection.name : null;
  const shown = node ? rows.filter((r) => r.node === node) : rows;
  return (
    <section className="job-diff" aria-label={label}>
      <div className="diff-bar">
        <span className="diff-summary">{jobSummary(diff)}</span>
        <DiffLegend />
      </div>
      <div className="job-diff-body">
        <div className="job-diff-canvas">
          <FlowCanvas
            label={`${label}: canvas`}
            document={document}
            nodeTypes={nodeTypes}
            editable={false}
            selection={selection}
            onSelect={setSelection}
            nodeClassNames={nodeClasses}
            edgeClassNames={edgeClasses}
          />
        </div>
        <div className="job-diff-changes">
          {node && (
            <div className="diff-filter">
              <span>
                Changes of node <strong>{node}</strong>
              </span>
              <button type="button" className="link-button" onClick={() => setSelection(null)}>
                Show all
              </button>
            </div>
          )}
          <ChangeTable rows={shown} label="Property changes" onSelectNode={(name) => setSelection({ type: "node", name })} />
        </div>
      </div>
    </section>
  );
}

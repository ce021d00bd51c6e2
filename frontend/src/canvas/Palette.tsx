import { useMemo, useState } from "react";
import type { NodeType } from "../api/types";
import { NODE_TYPE_MIME } from "./FlowCanvas";
import { nodeBadge } from "./transforms";

/** The node library: drag a node type onto the canvas, or click it to add it in the middle. */
export function Palette({ nodeTypes, disabled, onAdd }: { nodeTypes: NodeType[]; disabled: boolean; onAdd: (t: NodeType) => void }) {
  const [filter, setFilter] = useState("");
  const groups = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const out = new Map<string, NodeType[]>();
    for (const t of nodeTypes) {
      if (f && !t.label.toLowerCase().includes(f) && !t.code.toLowerCase().includes(f)) continue;
      out.set(t.category, [...(out.get(t.category) ?? []), t]);
    }
    return [...out.entries()];
  }, [nodeTypes, filter]);
  return (
    <nav className="palette" aria-label="Node library">
      <input type="search" aria-label="Search node types" placeholder="Search nodes" value={filter} onChange={(e) => setFilter(e.target.value)} />
      {disabled && <p className="muted small">Lock the job to add nodes.</p>}
      {groups.map(([category, types]) => (
        <section key={category}>
          <h4>{category}</h4>
          <ul>
            {types.map((t) => (
              <li key={t.code}>
                <button
                  type="button"
                  className="palette-item"
                  draggable={!disabled}
                  disabled={disabled}
                  aria-label={`Add ${t.label} node`}
                  title={disabled ? "Lock the job to edit it" : `Drag onto the canvas, or click to add ${t.label}`}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(NODE_TYPE_MIME, t.code);
                    e.dataTransfer.effectAllowed = "copy";
                  }}
                  onClick={() => onAdd(t)}
                >
                  <span className="flow-node-badge small" aria-hidden="true">
                    {nodeBadge(t.code)}
                  </span>
                  {t.label}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}

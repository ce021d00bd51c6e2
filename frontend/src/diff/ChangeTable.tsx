import type { ChangeRow } from "./logic";

const STATUS_WORDS: Record<ChangeRow["status"], string> = {
  added: "added",
  removed: "removed",
  changed: "changed",
  modified: "changed",
  unchanged: "unchanged",
};

interface Props {
  rows: readonly ChangeRow[];
  label: string;
  /** Rows of a node name it; clicking the name selects the node (on the canvas beside). */
  onSelectNode?: (name: string) => void;
}

/** The differences as a table: what (a node, "Schedule", ...), the property's path, before → after. */
export function ChangeTable({ rows, label, onSelectNode }: Props) {
  if (rows.length === 0) return <p className="muted">No differences.</p>;
  return (
    <table className="grid change-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Object</th>
          <th scope="col">Property</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={`${row.group}\u0000${row.path}\u0000${index}`} className={`diff-row diff-${row.status}`}>
            <td>
              {row.node && onSelectNode ? (
                <button type="button" className="link-button" onClick={() => onSelectNode(row.node!)} title="Show this node's changes">
                  {row.group}
                </button>
              ) : (
                row.group
              )}
            </td>
            <td className="change-path">
              {row.path} <span className="change-kind">{STATUS_WORDS[row.status]}</span>
            </td>
            <td className="change-old">{row.old}</td>
            <td className="change-new">{row.new}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

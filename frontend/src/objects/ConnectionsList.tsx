import { useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { useConnections } from "../api/hooks";
import type { Connection } from "../api/types";
import { ConnectionDialog } from "../connections/ConnectionDialog";
import "../connections/room.css";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { ErrorNotice, Spinner } from "../ui/bits";

/** The workspace's data connections (names and types; secrets never leave the server); a click opens
 * one, and the Connections room manages them all. */
export function ConnectionsList() {
  const { workspace } = useSessionWorkspace();
  const [open, setOpen] = useState<Connection | "new" | null>(null);
  const q = useConnections(workspace.id);
  const [filter, setFilter] = useState("");
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return (q.data ?? []).filter((c) => !f || c.name.toLowerCase().includes(f) || c.type.toLowerCase().includes(f));
  }, [q.data, filter]);
  return (
    <div className="tree-pane">
      <div className="tree-toolbar">
        <input type="search" className="tree-search" aria-label="Search connections" placeholder="Enter a connection name or type" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <button type="button" className="icon-button" aria-label="Refresh connections" onClick={() => void q.refetch()}>
          ⟳
        </button>
        {workspace.role !== "viewer" && (
          <button type="button" className="icon-button" aria-label="Create data connection" onClick={() => setOpen("new")}>
            +
          </button>
        )}
      </div>
      <Link to="/connections" className="pane-link">
        Manage connections, objects and variables
      </Link>
      {q.isPending && <Spinner />}
      <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
      <ul className="flat-list" aria-label="Data connections">
        {rows.map((c) => (
          <li key={c.id} title={c.description || undefined}>
            <button type="button" className="flat-item" aria-label={`Open connection ${c.name}`} onClick={() => setOpen(c)}>
              <span className="tree-icon connection" aria-hidden="true" />
              <span className="tree-name">{c.name}</span>
              <span className="tag">{c.type}</span>
            </button>
          </li>
        ))}
        {q.data && rows.length === 0 && <li className="muted">No connections.</li>}
      </ul>
      {open && <ConnectionDialog connection={open === "new" ? null : open} onClose={() => setOpen(null)} />}
    </div>
  );
}

import { useMemo, useState } from "react";
import { useConnections } from "../api/hooks";
import { useConsole } from "../shell/ConsoleContext";
import { ErrorNotice, Spinner } from "../ui/bits";

/** The workspace's data connections (names and types; secrets never leave the server). */
export function ConnectionsList() {
  const { workspace } = useConsole();
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
      </div>
      {q.isPending && <Spinner />}
      <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
      <ul className="flat-list" aria-label="Data connections">
        {rows.map((c) => (
          <li key={c.id} title={c.description || undefined}>
            <span className="tree-icon connection" aria-hidden="true" />
            <span className="tree-name">{c.name}</span>
            <span className="tag">{c.type}</span>
          </li>
        ))}
        {q.data && rows.length === 0 && <li className="muted">No connections.</li>}
      </ul>
    </div>
  );
}

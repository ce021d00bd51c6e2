import { useMemo, useState } from "react";
import { connectionDelete, connectionKeys, useRoomMutation } from "../api/connections";
import { useConnections } from "../api/hooks";
import type { Connection } from "../api/types";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { ErrorNotice, Spinner, formatTime } from "../ui/bits";
import { ConnectionDialog } from "./ConnectionDialog";
import { DeleteDialog } from "./DeleteDialog";

/** Data connections: create, open (edit), delete with the list of their users. */
export function ConnectionsTable() {
  const { workspace } = useSessionWorkspace();
  const canWrite = workspace.role !== "viewer";
  const q = useConnections(workspace.id);
  const [filter, setFilter] = useState("");
  const [open, setOpen] = useState<Connection | "new" | null>(null);
  const [deleting, setDeleting] = useState<Connection | null>(null);
  const remove = useRoomMutation((id: number) => connectionDelete(workspace.id, id), connectionKeys(workspace.id));
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return (q.data ?? []).filter((c) => !f || c.name.toLowerCase().includes(f) || c.type.toLowerCase().includes(f));
  }, [q.data, filter]);
  return (
    <section aria-label="Data Connections">
      <div className="toolbar">
        {canWrite && (
          <button type="button" className="primary" onClick={() => setOpen("new")}>
            Create Data Connection
          </button>
        )}
        <input type="search" aria-label="Search data connections" placeholder="Enter a connection name or type" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      {q.isPending && <Spinner />}
      <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
      <table className="data-table" aria-label="Data connections">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Description</th>
            <th>Updated</th>
            <th>Operation</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id}>
              <td>
                <button type="button" className="link-button" onClick={() => setOpen(c)}>
                  {c.name}
                </button>
              </td>
              <td>{c.type}</td>
              <td>{c.description}</td>
              <td>{formatTime(c.updatedAt)}</td>
              <td>
                <button type="button" className="link-button" aria-label={`${canWrite ? "Edit" : "View"} ${c.name}`} onClick={() => setOpen(c)}>
                  {canWrite ? "Edit" : "View"}
                </button>{" "}
                {canWrite && (
                  <button type="button" className="link-button" aria-label={`Delete ${c.name}`} onClick={() => setDeleting(c)}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
          {q.data && rows.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No data connections.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {open && <ConnectionDialog connection={open === "new" ? null : open} onClose={() => setOpen(null)} />}
      {deleting && (
        <DeleteDialog
          what="connection"
          id={deleting.id}
          label={`data connection ${deleting.name}`}
          onDelete={() => remove.mutateAsync(deleting.id)}
          onClose={() => setDeleting(null)}
        />
      )}
    </section>
  );
}

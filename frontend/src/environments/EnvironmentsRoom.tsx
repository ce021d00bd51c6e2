import { useState } from "react";
import "../connections/room.css";
import "./room.css";
import { saveBlob } from "../api/client";
import { profileDelete, profileExport, profileKeys, useProfiles, type Profile } from "../api/profiles";
import { useWrite } from "../api/mutations";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { ConfirmDialog } from "../ui/forms";
import { ErrorNotice, Spinner, formatTime } from "../ui/bits";
import { ImportProfileDialog } from "./ImportProfileDialog";
import { ProfileDialog } from "./ProfileDialog";
import { targetLabel } from "./logic";

/** The Environments room: the workspace's environment profiles, where its jobs are promoted to. Admins
 * create, edit, delete and import them; every member reads and exports them. */
export function EnvironmentsRoom() {
  const { workspace } = useSessionWorkspace();
  const canWrite = workspace.role === "admin";
  const q = useProfiles(workspace.id);
  const [open, setOpen] = useState<Profile | "new" | null>(null);
  const [deleting, setDeleting] = useState<Profile | null>(null);
  const [importing, setImporting] = useState(false);
  const exporting = useWrite(async (p: Profile) => {
    const { blob, fileName } = await profileExport(workspace.id, p.id, `profile-${p.name}.json`);
    saveBlob(blob, fileName);
  });
  return (
    <section className="page connections-room environments-room" aria-label="Environments">
      <h1>Environments</h1>
      <p className="muted">Environment profiles say where this workspace's jobs are promoted to, and what changes on the way: references, parameters, variables, text, policies.</p>
      <div className="toolbar">
        {canWrite && (
          <>
            <button type="button" className="primary" onClick={() => setOpen("new")}>
              Create Environment Profile
            </button>
            <button type="button" onClick={() => setImporting(true)}>
              Import Profile
            </button>
          </>
        )}
      </div>
      {q.isPending && <Spinner />}
      <ErrorNotice error={q.error ?? exporting.error} onRetry={q.error ? () => void q.refetch() : undefined} />
      <table className="data-table" aria-label="Environment profiles">
        <thead>
          <tr>
            <th>Name</th>
            <th>Target</th>
            <th>Mappings</th>
            <th>Rewrite rules</th>
            <th>Approval</th>
            <th>Updated</th>
            <th>Operation</th>
          </tr>
        </thead>
        <tbody>
          {(q.data ?? []).map((p) => (
            <tr key={p.id}>
              <td>
                <button type="button" className="link-button" onClick={() => setOpen(p)}>
                  {p.name}
                </button>
              </td>
              <td>{targetLabel(p)}</td>
              <td>{p.mappings.length}</td>
              <td>{p.rewriteRules.length}</td>
              <td>{p.requiresApproval ? "Required" : "—"}</td>
              <td>
                {formatTime(p.updatedAt)}
                {p.updatedBy ? ` by ${p.updatedBy}` : ""}
              </td>
              <td>
                <button type="button" className="link-button" aria-label={`${canWrite ? "Edit" : "View"} ${p.name}`} onClick={() => setOpen(p)}>
                  {canWrite ? "Edit" : "View"}
                </button>{" "}
                <button type="button" className="link-button" aria-label={`Export ${p.name}`} disabled={exporting.isPending} onClick={() => exporting.mutate(p)}>
                  Export
                </button>{" "}
                {canWrite && (
                  <button type="button" className="link-button" aria-label={`Delete ${p.name}`} onClick={() => setDeleting(p)}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
          {q.data && q.data.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No environment profiles.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {open && <ProfileDialog profile={open === "new" ? null : open} onClose={() => setOpen(null)} />}
      {importing && <ImportProfileDialog onClose={() => setImporting(false)} />}
      {deleting && (
        <ConfirmDialog
          title={`Delete environment profile ${deleting.name}`}
          confirmLabel="Delete"
          danger
          onConfirm={() => profileDelete(workspace.id, deleting.id)}
          invalidates={[profileKeys.list(workspace.id)]}
          onClose={() => setDeleting(null)}
        >
          <p>Delete the profile {deleting.name}? Promotions that used it keep their records.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

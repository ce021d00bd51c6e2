import { useUsages } from "../api/connections";
import type { Id } from "../api/types";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { ConfirmDialog } from "../ui/forms";
import { Spinner } from "../ui/bits";

/**
 * Confirms deleting a connection or an external object, listing the jobs and scripts that use it. Deleting
 * one in use is allowed, as in DataArts: the jobs keep the name, and an import asks for a replacement.
 */
export function DeleteDialog({ what, id, label, onDelete, onClose }: { what: "connection" | "external"; id: Id; label: string; onDelete: () => Promise<unknown>; onClose: () => void }) {
  const { workspace } = useSessionWorkspace();
  const usages = useUsages(workspace.id, what, id);
  const users = usages.data ? [...usages.data.jobs.map((n) => `Job ${n}`), ...usages.data.scripts.map((n) => `Script ${n}`)] : [];
  return (
    <ConfirmDialog title={`Delete ${label}`} confirmLabel="Delete" danger onConfirm={onDelete} onClose={onClose}>
      <p>Delete {label}? This cannot be undone.</p>
      {usages.isPending && <Spinner label="Looking for jobs and scripts that use it…" />}
      {usages.data && users.length === 0 && <p>No job or script uses it.</p>}
      {users.length > 0 && (
        <>
          <p>
            Used by {users.length} {users.length === 1 ? "job or script" : "jobs and scripts"}; they keep the name and will not run until it exists again:
          </p>
          <ul aria-label="Used by">
            {users.map((u) => (
              <li key={u}>{u}</li>
            ))}
          </ul>
        </>
      )}
    </ConfirmDialog>
  );
}

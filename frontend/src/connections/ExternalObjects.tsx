import { useState } from "react";
import { externalKeys, externalObjectCreate, externalObjectDelete, externalObjectUpdate, roomKeys, useAllExternalObjects, useRoomMutation, type ExternalObjectKind } from "../api/connections";
import { isApiError } from "../api/client";
import type { ExternalObject } from "../api/types";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { Dialog } from "../ui/Dialog";
import { ErrorNotice, Field, Spinner } from "../ui/bits";
import { validateObjectName } from "../ui/forms";
import { RowActions } from "./RowActions";
import { DeleteDialog } from "./DeleteDialog";

export const KINDS: { kind: ExternalObjectKind; label: string }[] = [
  { kind: "dli_queue", label: "DLI queue" },
  { kind: "ges_graph", label: "GES graph" },
  { kind: "dis_stream", label: "DIS stream" },
  { kind: "cdm_cluster", label: "CDM cluster" },
  { kind: "mrs_cluster", label: "MRS cluster" },
];
const kindLabel = (k: string) => KINDS.find((x) => x.kind === k)?.label ?? k;

function ObjectDialog({ obj, onClose }: { obj: ExternalObject | null; onClose: () => void }) {
  const { workspace } = useSessionWorkspace();
  const [kind, setKind] = useState<ExternalObjectKind>(obj?.kind ?? "dli_queue");
  const [name, setName] = useState(obj?.name ?? "");
  const [description, setDescription] = useState(obj?.description ?? "");
  const [touched, setTouched] = useState(false);
  const save = useRoomMutation(
    () => (obj ? externalObjectUpdate(workspace.id, obj.id, { name: name.trim(), description }) : externalObjectCreate(workspace.id, { kind, name: name.trim(), description })),
    [...externalKeys(workspace.id), roomKeys.externalAll(workspace.id)],
  );
  const problem = !name.trim() ? "Enter a name." : validateObjectName(name.trim());
  const server = isApiError(save.error) ? (save.error.fields as Record<string, unknown>).name : undefined;
  const submit = (e?: React.FormEvent) => {
    e?.preventDefault();
    setTouched(true);
    if (!problem) save.mutate(undefined, { onSuccess: onClose });
  };
  return (
    <Dialog
      title={obj ? `${kindLabel(obj.kind)} ${obj.name}` : "Create Object"}
      onClose={onClose}
      dismissable={!save.isPending}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={() => submit()} disabled={save.isPending}>
            Save
          </button>
        </>
      }
    >
      <form className="form" onSubmit={submit}>
        <Field label="Object Type" htmlFor="obj-kind">
          <select id="obj-kind" value={kind} disabled={!!obj} onChange={(e) => setKind(e.target.value as ExternalObjectKind)}>
            {KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Name" htmlFor="obj-name" error={(touched ? problem : null) ?? (Array.isArray(server) ? server.join(" ") : undefined)}>
          <input id="obj-name" value={name} maxLength={128} onChange={(e) => setName(e.target.value)} data-autofocus />
        </Field>
        <Field label="Description" htmlFor="obj-desc">
          <input id="obj-desc" value={description} maxLength={255} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <button type="submit" hidden />
      </form>
      <ErrorNotice error={save.error} />
    </Dialog>
  );
}

/** DLI queues, GES graphs, DIS streams, CDM and MRS clusters that nodes refer to by name. */
export function ExternalObjects() {
  const { workspace } = useSessionWorkspace();
  const canWrite = workspace.role !== "viewer";
  const q = useAllExternalObjects(workspace.id);
  const [open, setOpen] = useState<ExternalObject | "new" | null>(null);
  const [deleting, setDeleting] = useState<ExternalObject | null>(null);
  const remove = useRoomMutation((id: number) => externalObjectDelete(workspace.id, id), [...externalKeys(workspace.id), roomKeys.externalAll(workspace.id)]);
  return (
    <section aria-label="Other Objects">
      {canWrite && (
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => setOpen("new")}>
            Create Object
          </button>
        </div>
      )}
      {q.isPending && <Spinner />}
      <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
      <table className="data-table" aria-label="Other objects">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Description</th>
            <th>Operation</th>
          </tr>
        </thead>
        <tbody>
          {(q.data ?? []).map((o) => (
            <tr key={o.id}>
              <td>{o.name}</td>
              <td>{kindLabel(o.kind)}</td>
              <td>{o.description}</td>
              <td>
                {canWrite && <RowActions name={o.name} onEdit={() => setOpen(o)} onDelete={() => setDeleting(o)} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && <ObjectDialog obj={open === "new" ? null : open} onClose={() => setOpen(null)} />}
      {deleting && (
        <DeleteDialog what="external" id={deleting.id} label={`${kindLabel(deleting.kind)} ${deleting.name}`} onDelete={() => remove.mutateAsync(deleting.id)} onClose={() => setDeleting(null)} />
      )}
    </section>
  );
}

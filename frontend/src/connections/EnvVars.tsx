import { useState } from "react";
import { envVarCreate, envVarDelete, envVarKeys, envVarUpdate, useEnvVars, useRoomMutation } from "../api/connections";
import { isApiError } from "../api/client";
import type { EnvironmentVariable } from "../api/types";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { Dialog } from "../ui/Dialog";
import { ErrorNotice, Field, Notice, Spinner } from "../ui/bits";
import { ConfirmDialog } from "../ui/forms";
import { envVarWarning } from "./logic";
import { RowActions } from "./RowActions";

const NAME = /^[A-Za-z0-9_\-.]{1,64}$/;

function VariableDialog({ variable, onClose }: { variable: EnvironmentVariable | null; onClose: () => void }) {
  const { workspace } = useSessionWorkspace();
  const [name, setName] = useState(variable?.name ?? "");
  const [value, setValue] = useState(variable && !variable.masked ? variable.value : "");
  const [masked, setMasked] = useState(variable?.masked ?? false);
  const [description, setDescription] = useState(variable?.description ?? "");
  const [touched, setTouched] = useState(false);
  const save = useRoomMutation(() => {
    const body = { name: name.trim(), value, masked, description };
    return variable ? envVarUpdate(workspace.id, variable.id, body) : envVarCreate(workspace.id, body);
  }, envVarKeys(workspace.id));
  const problem = !name.trim() ? "Enter a name." : NAME.test(name.trim()) ? null : "1 to 64 letters, digits, hyphens, underscores or periods.";
  const fields = isApiError(save.error) ? (save.error.fields as Record<string, unknown>) : {};
  const serverError = (k: string) => (Array.isArray(fields[k]) ? (fields[k] as string[]).join(" ") : undefined);
  const warning = envVarWarning(name.trim(), masked);
  const submit = (e?: React.FormEvent) => {
    e?.preventDefault();
    setTouched(true);
    if (!problem) save.mutate(undefined, { onSuccess: onClose });
  };
  const storedMasked = !!variable?.masked && variable.valueSet;
  return (
    <Dialog
      title={variable ? `Environment Variable ${variable.name}` : "Create Environment Variable"}
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
        <Field label="Parameter" htmlFor="env-name" error={(touched ? problem : null) ?? serverError("name")}>
          <input id="env-name" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} data-autofocus />
        </Field>
        <Field label="Value" htmlFor="env-value" error={serverError("value")} hint={masked && storedMasked ? "Set; leave blank to keep it." : undefined}>
          <input id="env-value" type={masked ? "password" : "text"} autoComplete="new-password" value={value} onChange={(e) => setValue(e.target.value)} />
        </Field>
        <Field label="Masked" htmlFor="env-masked" hint="A masked value is stored encrypted and never shown again.">
          <input id="env-masked" type="checkbox" checked={masked} onChange={(e) => setMasked(e.target.checked)} />
        </Field>
        <Field label="Description" htmlFor="env-desc">
          <input id="env-desc" value={description} maxLength={255} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        {warning && <Notice kind="warning">{warning}</Notice>}
        <button type="submit" hidden />
      </form>
      <ErrorNotice error={save.error} />
    </Dialog>
  );
}

/** Workspace environment variables, used in jobs as ${name}; masked ones show only whether they are set. */
export function EnvVars() {
  const { workspace } = useSessionWorkspace();
  const canWrite = workspace.role !== "viewer";
  const q = useEnvVars(workspace.id);
  const [open, setOpen] = useState<EnvironmentVariable | "new" | null>(null);
  const [deleting, setDeleting] = useState<EnvironmentVariable | null>(null);
  const remove = useRoomMutation((id: number) => envVarDelete(workspace.id, id), envVarKeys(workspace.id));
  return (
    <section aria-label="Environment Variables">
      {canWrite && (
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => setOpen("new")}>
            Create Environment Variable
          </button>
        </div>
      )}
      {q.isPending && <Spinner />}
      <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
      <table className="data-table" aria-label="Environment variables">
        <thead>
          <tr>
            <th>Parameter</th>
            <th>Value</th>
            <th>Description</th>
            <th>Operation</th>
          </tr>
        </thead>
        <tbody>
          {(q.data ?? []).map((v) => {
            const warning = envVarWarning(v.name, v.masked);
            return (
              <tr key={v.id}>
                <td>
                  {v.name}
                  {warning && (
                    <span className="tag tag-warning" title={warning} aria-label={`${v.name}: ${warning}`}>
                      {" "}
                      Not masked
                    </span>
                  )}
                </td>
                <td>{v.masked ? <span className="muted">{v.valueSet ? "Masked (set)" : "Masked (not set)"}</span> : v.value}</td>
                <td>{v.description}</td>
                <td>
                  {canWrite && <RowActions name={v.name} onEdit={() => setOpen(v)} onDelete={() => setDeleting(v)} />}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {open && <VariableDialog variable={open === "new" ? null : open} onClose={() => setOpen(null)} />}
      {deleting && (
        <ConfirmDialog title={`Delete environment variable ${deleting.name}`} confirmLabel="Delete" danger onConfirm={() => remove.mutateAsync(deleting.id)} onClose={() => setDeleting(null)}>
          <p>Delete {deleting.name}? Jobs using ${"{"}{deleting.name}{"}"} will no longer find it.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

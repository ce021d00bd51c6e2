import { useId, useState } from "react";
import * as ep from "../api/endpoints";
import { keys, useMembers } from "../api/hooks";
import { useWrite } from "../api/mutations";
import type { LockPolicy, Member, Role, Workspace } from "../api/types";
import { WriteDialog } from "../ui/WriteDialog";
import { ErrorNotice, Spinner, useToast } from "../ui/bits";
import { useDialogs, useSessionWorkspace } from "./ConsoleContext";
import { lockPolicyLabel, memberErrorText, memberProblem, roleLabel, ROLES, WORKSPACE_NAME_MAX, workspaceNameProblem } from "./members";

function RoleSelect({ value, onChange, label, disabled }: { value: Role; onChange: (role: Role) => void; label: string; disabled?: boolean }) {
  return (
    <select aria-label={label} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as Role)}>
      {ROLES.map((r) => (
        <option key={r.value} value={r.value} title={r.hint}>
          {r.label}
        </option>
      ))}
    </select>
  );
}

/** "Create Workspace" (staff): name, lock policy, description; the creator becomes its admin and lands in it. */
function CreateWorkspaceDialog({ onClose }: { onClose: () => void }) {
  const { session, setWorkspace } = useSessionWorkspace();
  const toast = useToast();
  const nameId = useId();
  const descId = useId();
  const policyName = useId();
  const [name, setName] = useState("");
  const [policy, setPolicy] = useState<LockPolicy>("soft");
  const [description, setDescription] = useState("");
  const problem = workspaceNameProblem(name, session.workspaces.map((w) => w.name));
  // The session lists the user's workspaces: read again before the new one opens.
  const create = useWrite(() => ep.workspaceCreate({ name: name.trim(), lockPolicy: policy, description: description.trim() }), {
    invalidates: [keys.session],
    untilRefetched: true,
    onDone: (created) => {
      setWorkspace(created.id);
      toast(`Workspace ${created.name} created; you are its admin.`);
      onClose();
    },
  });
  const submit = () => {
    if (!problem && !create.isPending) create.mutate();
  };
  return (
    <WriteDialog
      title="Create Workspace"
      width={520}
      write={create}
      onSubmit={submit}
      onClose={onClose}
      submitLabel="Create"
      busyLabel="Creating…"
      disabled={!!problem}
    >
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="field">
          <label htmlFor={nameId}>Workspace Name</label>
          <div className="field-control">
            <input id={nameId} maxLength={WORKSPACE_NAME_MAX} value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
          </div>
        </div>
        <fieldset className="radio-group inline">
          <legend>Lock Policy</legend>
          {(["soft", "hard"] as const).map((p) => (
            <label key={p}>
              <input type="radio" name={policyName} value={p} checked={policy === p} onChange={() => setPolicy(p)} />
              {lockPolicyLabel(p)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={descId}>Description (optional)</label>
          <div className="field-control">
            <input id={descId} maxLength={255} value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
        </div>
        {problem && name && <div className="field-error">{problem}</div>}
        <button type="submit" hidden />
      </form>
    </WriteDialog>
  );
}

/** An admin's view of the members: add by username with a role, change a role, remove. */
function MembersPanel({ workspace }: { workspace: Workspace }) {
  const ws = workspace.id;
  const toast = useToast();
  const members = useMembers(ws);
  const userId = useId();
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<Role>("developer");
  const list = members.data ?? [];
  const problem = memberProblem(username, list);

  // A change of membership: the toast and the error text depend on which change it was.
  const write = useWrite(({ call }: { call: () => Promise<unknown>; done: string; errorText: (e: unknown) => string }) => call(), {
    // One's own role shows in the top bar (from the session).
    invalidates: [keys.members(ws), keys.session],
    untilRefetched: true,
    onDone: (_, op) => toast(op.done),
  });
  const busy = write.isPending;
  const error = write.error && write.variables ? write.variables.errorText(write.error) : null;
  const run = (call: () => Promise<unknown>, done: string, errorText: (e: unknown) => string) => write.mutate({ call, done, errorText });
  const add = () => {
    if (problem || busy) return;
    const name = username.trim();
    run(
      async () => {
        await ep.memberSet(ws, { username: name, role });
        setUsername("");
      },
      `${name} added as ${roleLabel(role)}.`,
      (e) => memberErrorText(e, name, "demote"),
    );
  };
  const change = (m: Member, next: Role) =>
    run(() => ep.memberSet(ws, { username: m.username, role: next }), `${m.username} is now ${roleLabel(next)}.`, (e) => memberErrorText(e, m.username, "demote"));
  const remove = (m: Member) => {
    if (!window.confirm(`Remove ${m.username} from workspace ${workspace.name}?`)) return;
    run(() => ep.memberRemove(ws, m.username), `${m.username} removed.`, (e) => memberErrorText(e, m.username, "remove"));
  };

  return (
    <div className="members">
      {members.isPending && <Spinner label="Loading the members…" />}
      <ErrorNotice error={members.error} onRetry={() => void members.refetch()} />
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      {members.data && (
        <table className="grid" aria-label="Members">
          <thead>
            <tr>
              <th>Username</th>
              <th>Role</th>
              <th>Operation</th>
            </tr>
          </thead>
          <tbody>
            {list.map((m) => (
              <tr key={m.userId}>
                <td>{m.username}</td>
                <td>
                  <RoleSelect label={`Role of ${m.username}`} value={m.role} disabled={busy} onChange={(next) => void change(m, next)} />
                </td>
                <td>
                  <button type="button" className="link-button" aria-label={`Remove ${m.username}`} disabled={busy} onClick={() => remove(m)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="member-add"
        aria-label="Add member"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <label htmlFor={userId}>Username</label>
        <input id={userId} value={username} maxLength={150} onChange={(e) => setUsername(e.target.value)} />
        <RoleSelect label="Role of the new member" value={role} onChange={setRole} />
        <button type="submit" className="primary" disabled={!!problem || busy}>
          Add Member
        </button>
        {problem && username && <span className="field-error">{problem}</span>}
      </form>
    </div>
  );
}

/**
 * The Workspaces room: the user's workspaces, each one click away; staff create more; the current
 * workspace's members for its admins (every other member sees their own role).
 */
export function WorkspacesRoom() {
  const { session, workspace, setWorkspace } = useSessionWorkspace();
  const { setSettingsOpen } = useDialogs();
  const [creating, setCreating] = useState(false);
  return (
    <section className="page workspaces-room" aria-labelledby="workspaces-title">
      <header className="page-header">
        <h1 id="workspaces-title">Workspaces</h1>
        {session.user.isStaff && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create Workspace
          </button>
        )}
      </header>
      <table className="grid" aria-label="Your workspaces">
        <thead>
          <tr>
            <th>Name</th>
            <th>Your Role</th>
            <th>Lock Policy</th>
            <th>Description</th>
            <th>Operation</th>
          </tr>
        </thead>
        <tbody>
          {session.workspaces.map((w) => (
            <tr key={w.id} aria-current={w.id === workspace.id ? "true" : undefined}>
              <td>{w.name}</td>
              <td>{roleLabel(w.role)}</td>
              <td>{lockPolicyLabel(w.lockPolicy)}</td>
              <td>{w.description}</td>
              <td>
                {w.id === workspace.id ? (
                  <span className="muted">Current</span>
                ) : (
                  <button type="button" aria-label={`Switch to ${w.name}`} onClick={() => setWorkspace(w.id)}>
                    Switch
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Members of {workspace.name}</h2>
      {workspace.role === "admin" ? (
        <MembersPanel key={workspace.id} workspace={workspace} />
      ) : (
        <p>
          Your role in {workspace.name}: <strong>{roleLabel(workspace.role)}</strong>. Only its admins manage its members.
        </p>
      )}
      <p>
        <button type="button" onClick={() => setSettingsOpen(true)}>
          Workspace Settings
        </button>
      </p>
      {creating && <CreateWorkspaceDialog onClose={() => setCreating(false)} />}
    </section>
  );
}

import { useId, useState } from "react";
import { profileImport, profileKeys } from "../api/profiles";
import { useWrite } from "../api/mutations";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { WriteDialog } from "../ui/WriteDialog";
import { Field, Notice, useToast } from "../ui/bits";
import { parseProfileFile, serverProblems, type ParsedFile } from "./logic";

/** Import a profile from an exported JSON file; a remote target's keys are typed again (never in the file). */
export function ImportProfileDialog({ onClose }: { onClose: () => void }) {
  const { workspace } = useSessionWorkspace();
  const toast = useToast();
  const ids = { file: useId(), ak: useId(), sk: useId(), replace: useId() };
  const [parsed, setParsed] = useState<ParsedFile | null>(null);
  const [replace, setReplace] = useState(false);
  const [accessKey, setAccessKey] = useState("");
  const [secretKey, setSecretKey] = useState("");
  const write = useWrite(
    () => {
      if (!parsed?.ok) throw new Error("Choose an exported profile file.");
      return profileImport(workspace.id, { document: parsed.document, replace, accessKey: accessKey.trim(), secretKey });
    },
    {
      invalidates: [profileKeys.list(workspace.id)],
      onDone: (result) => {
        const unset = result.unsetSecrets.length ? ` Set the masked values again: ${result.unsetSecrets.join(", ")}.` : "";
        toast(`Profile ${result.profile.name} ${result.replaced ? "replaced" : "imported"}.${unset}`);
        onClose();
      },
    },
  );
  const server = serverProblems(write.error);
  const problem = !parsed ? "Choose an exported profile file." : !parsed.ok ? parsed.problem : parsed.remote && (!accessKey.trim() || !secretKey) ? "Type the remote target's keys." : null;
  const onFile = async (file: File | undefined) => setParsed(file ? parseProfileFile(await file.text()) : null);
  return (
    <WriteDialog title="Import Environment Profile" width={560} write={write} onSubmit={() => !problem && write.mutate()} onClose={onClose} submitLabel="Import" busyLabel="Importing…" disabled={!!problem}>
      <form className="form" onSubmit={(e) => e.preventDefault()}>
        <Field label="Profile file" htmlFor={ids.file} error={parsed && !parsed.ok ? parsed.problem : undefined} hint="A .json file from Export.">
          <input id={ids.file} type="file" accept=".json,application/json" onChange={(e) => void onFile(e.target.files?.[0])} data-autofocus />
        </Field>
        {parsed?.ok && parsed.remote && (
          <>
            <Notice>Profile {parsed.name} promotes to a remote console: its keys are never exported, type them again.</Notice>
            <Field label="Access key" htmlFor={ids.ak} error={server.accessKey}>
              <input id={ids.ak} autoComplete="off" value={accessKey} onChange={(e) => setAccessKey(e.target.value)} />
            </Field>
            <Field label="Secret key" htmlFor={ids.sk} error={server.secretKey}>
              <input id={ids.sk} type="password" autoComplete="new-password" value={secretKey} onChange={(e) => setSecretKey(e.target.value)} />
            </Field>
          </>
        )}
        <label className="check-line">
          <input id={ids.replace} type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> Replace a profile of the same name
        </label>
      </form>
    </WriteDialog>
  );
}

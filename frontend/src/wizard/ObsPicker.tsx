import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import * as ep from "../api/endpoints";
import { keys, useObsStatus } from "../api/hooks";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { ErrorNotice, formatBytes, formatTime, Spinner } from "../ui/bits";
import { obsCrumbs, obsFolderLabel, obsParentFolder } from "./obsPaths";

function Row({ label, icon, onOpen }: { label: string; icon: "bucket" | "folder"; onOpen: () => void }) {
  return (
    <div role="option" aria-selected={false} className="obs-row" tabIndex={0} onClick={onOpen} onKeyDown={(e) => e.key === "Enter" && onOpen()}>
      <span className={`tree-icon ${icon}`} aria-hidden="true" />
      {label}
    </div>
  );
}

/**
 * Browses the OBS locations the workspace's allow-list reaches and picks a .zip package. Its root lists
 * the allowed buckets and folders; a location outside the list shows the server's reason (403).
 */
export function ObsPicker({ onPick, picked }: { onPick: (path: string) => void; picked: string }) {
  const { workspace } = useSessionWorkspace();
  const ws = workspace.id;
  const [path, setPath] = useState(() => obsParentFolder(picked));
  const q = useQuery({ queryKey: keys.obsBrowse(ws, path), queryFn: ({ signal }) => ep.obsBrowse(ws, path, signal) });
  const status = useObsStatus(ws);
  const allowList = status.data?.allowList ?? null;
  const up = obsCrumbs(path, allowList);
  const atRoot = path === "";
  const empty = q.data && !q.data.buckets?.length && !q.data.prefixes?.length && !q.data.objects?.length;
  return (
    <div className="obs-picker">
      <nav className="crumbs" aria-label="OBS location">
        {up.map((c, i) => (
          <span key={c.path}>
            {i > 0 && <span aria-hidden="true"> / </span>}
            {c.browsable ? (
              <button type="button" className="link-button" onClick={() => setPath(c.path)} aria-current={i === up.length - 1 ? "location" : undefined}>
                {c.label}
              </button>
            ) : (
              <span className="muted" title="Outside the workspace's OBS allow-list">
                {c.label}
              </span>
            )}
          </span>
        ))}
      </nav>
      <div className="obs-list" role="listbox" aria-label="OBS files">
        {q.isPending && <Spinner label="Listing…" />}
        <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
        {q.data?.buckets?.map((b) => <Row key={b} label={b} icon="bucket" onOpen={() => setPath(`obs://${b}/`)} />)}
        {q.data?.prefixes?.map((p) => <Row key={p} label={obsFolderLabel(p, atRoot)} icon="folder" onOpen={() => setPath(p)} />)}
        {q.data?.objects?.map((o) => {
          const isZip = o.key.toLowerCase().endsWith(".zip");
          const name = o.key.split("/").pop();
          const selected = picked === o.path;
          return (
            <div
              key={o.path}
              role="option"
              aria-selected={selected}
              aria-disabled={!isZip || undefined}
              className={`obs-row${selected ? " selected" : ""}${isZip ? "" : " disabled"}`}
              tabIndex={isZip ? 0 : -1}
              onClick={() => isZip && onPick(o.path)}
              onKeyDown={(e) => e.key === "Enter" && isZip && onPick(o.path)}
            >
              <span className="tree-icon file" aria-hidden="true" />
              <span className="obs-name">{name}</span>
              <span className="muted">{formatBytes(o.size)}</span>
              <span className="muted">{formatTime(o.lastModified)}</span>
            </div>
          );
        })}
        {empty && (
          <p className="muted">
            {atRoot ? "This workspace's OBS allow-list reaches no bucket or folder yet: a workspace admin can add one in Workspace Settings." : "Nothing here."}
          </p>
        )}
        {q.data?.truncated && <p className="muted small">Only the first 1,000 entries are listed: type the path of a file further down.</p>}
      </div>
    </div>
  );
}
